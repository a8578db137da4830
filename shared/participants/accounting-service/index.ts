import path from 'node:path';
import { startParticipant } from '../participant.ts';
import { accountingRoutes } from './api/routes.ts';
import { accountingCommandSchemas } from './messaging/contracts.ts';
import { handleAccountingCommand } from './messaging/handlers.ts';

// accounting-service, a saga participant (labs 04–07): it authorizes or declines an order's payment.
// Fault knobs: ACCOUNTING_DECLINE_TOTAL, ACCOUNTING_HOLD_TOTAL (see messaging/handlers.ts).
await startParticipant({
  name: 'accounting-service',
  migrations: path.join(import.meta.dirname, 'db/migrations'),
  commands: accountingCommandSchemas,
  handle: handleAccountingCommand,
  routes: accountingRoutes,
});
