import path from 'node:path';
import { startParticipant } from '../participant.ts';
import { kitchenRoutes } from './api/routes.ts';
import { kitchenCommandSchemas } from './messaging/contracts.ts';
import { handleKitchenCommand } from './messaging/handlers.ts';

// kitchen-service, a saga participant (labs 04–07): tickets created, rejected and approved when told to.
// Fault knobs: KITCHEN_REFUSE_TOTAL, KITCHEN_HOLD_TOTAL (see messaging/handlers.ts).
await startParticipant({
  name: 'kitchen-service',
  migrations: path.join(import.meta.dirname, 'db/migrations'),
  commands: kitchenCommandSchemas,
  handle: handleKitchenCommand,
  routes: kitchenRoutes,
});
