import path from 'node:path';
import type { Express } from 'express';
import { declareEventLog } from '../../platform/messaging/event-log.ts';
import { PausePoints, pauseRoutes } from '../../platform/pause-points.ts';
import { requireEnv } from '../../platform/shutdown.ts';
import { startParticipant } from '../participant.ts';
import { customerRoutes } from './api/routes.ts';
import { CREDIT_WRITE, LOCKED_INCREMENTS, unlockedRead, type CreditUpdate } from './db/credit-access.ts';
import { customerCommandSchemas } from './messaging/contracts.ts';
import { customerHandler } from './messaging/handlers.ts';

/**
 * Starts customer-service. With no argument, as labs 04–07 run it: credit changes of one customer take turns
 * on a row lock. Lab 05 passes its own `creditUpdate` (commutative updates): then commands of different
 * orders are handled side by side, the credit is read without a lock, and a pause point between read and
 * write (`POST /admin/pauses`, with SAGA_TEST_HOOKS=1) lets the grader force two changes to interleave.
 */
export async function startCustomerService(creditUpdate?: CreditUpdate) {
  // Its events (lab 07) go to a retained log, declared before the relay starts so that they are always routed.
  await declareEventLog(requireEnv('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'), process.env.KIT_PREFIX ?? 'ftgo', 'customer-service');
  const pauses = new PausePoints();
  return startParticipant({
    name: 'customer-service',
    migrations: path.join(import.meta.dirname, 'db/migrations'),
    commands: customerCommandSchemas,
    handle: customerHandler(creditUpdate ? unlockedRead(creditUpdate, pauses) : LOCKED_INCREMENTS),
    routes: (pool) => (app: Express) => {
      customerRoutes(pool)(app);
      if (creditUpdate) pauseRoutes(pauses, [CREDIT_WRITE])(app);
    },
    ...(creditUpdate ? { concurrency: 4 } : {}),
  });
}
