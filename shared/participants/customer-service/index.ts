import path from 'node:path';
import { startParticipant } from '../participant.ts';
import { customerRoutes } from './api/routes.ts';
import { customerCommandSchemas } from './messaging/contracts.ts';
import { handleCustomerCommand } from './messaging/handlers.ts';

// customer-service as a saga participant (labs 04–07): it reserves and releases credit when told to.
// Fault knobs: RELEASE_FAILS_TOTAL and RELEASE_FAILURES (see messaging/handlers.ts).
await startParticipant({
  name: 'customer-service',
  migrations: path.join(import.meta.dirname, 'db/migrations'),
  commands: customerCommandSchemas,
  handle: handleCustomerCommand,
  routes: customerRoutes,
});
