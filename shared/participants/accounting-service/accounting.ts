import path from 'node:path';
import { startParticipant } from '../participant.ts';
import { accountingRoutes } from './api/routes.ts';
import type { PaymentDecision } from './domain/payment-decision.ts';
import { accountingCommandSchemas } from './messaging/contracts.ts';
import { accountingHandler } from './messaging/handlers.ts';

/** Starts accounting-service with `decide` choosing what each payment command does (see domain/payment-decision.ts). */
export function startAccounting(decide: PaymentDecision) {
  return startParticipant({
    name: 'accounting-service',
    migrations: path.join(import.meta.dirname, 'db/migrations'),
    commands: accountingCommandSchemas,
    handle: accountingHandler(decide),
    routes: accountingRoutes,
  });
}
