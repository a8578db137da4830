import path from 'node:path';
import { declareEventLog } from '../../platform/messaging/event-log.ts';
import { requireEnv } from '../../platform/shutdown.ts';
import { startParticipant } from '../participant.ts';
import { customerRoutes } from './api/routes.ts';
import { customerCommandSchemas } from './messaging/contracts.ts';
import { handleCustomerCommand } from './messaging/handlers.ts';

// customer-service as a saga participant (labs 04–07): it reserves and releases credit when told to, and
// publishes CustomerCreated and CustomerCreditLimitChanged through its outbox (lab 07's view reads them).
// Fault knobs: RELEASE_FAILS_TOTAL and RELEASE_FAILURES (see messaging/handlers.ts).
// Its events (lab 07) go to a retained log, declared before the relay starts so that they are always routed.
await declareEventLog(requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), process.env.KIT_PREFIX ?? 'ftgo', 'customer-service');
await startParticipant({
  name: 'customer-service',
  migrations: path.join(import.meta.dirname, 'db/migrations'),
  commands: customerCommandSchemas,
  handle: handleCustomerCommand,
  routes: customerRoutes,
});
