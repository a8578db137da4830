import { LabTodo } from '#shared/platform/todo.ts';
import { randomUUID } from 'node:crypto';
import type { Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';
import { releaseCredit, reserveCredit } from '../db/credit.ts';
import type { CustomerEvent, orderEventSchemas } from './contracts.ts';

export type OrderEvent = DeliveredFor<typeof orderEventSchemas>;

/**
 * customer-service's part of the choreography: it reacts to order events and answers with its own events.
 * Nobody tells it what to do next; order-service listens for the answer.
 */
export async function handleOrderEvent(pool: Pool, message: OrderEvent): Promise<void> {
  // TODO(lab 03): react to order events, exactly once per message (handleOnce): on OrderCreated reserve the
  // credit (reserveCredit) and answer CreditReserved, CustomerCreditLimitExceeded or CustomerNotFound; on
  // OrderCancelled release it and answer CreditReleased. Answers go out through the outbox, in the same
  // transaction. See http://localhost:3000/labs/03-choreography.
  throw new LabTodo('03', 'handleOrderEvent in labs/03-choreography/customer-service/messaging/handlers.ts');
}
