import { LabTodo } from '#shared/platform/todo.ts';
import { inTransaction, type Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { recordProcessed, releaseCredit, reserveCredit } from '../db/customers.ts';
import type { orderEventSchemas } from './contracts.ts';

export type OrderEventMessage = DeliveredFor<typeof orderEventSchemas>;

/**
 * Applies an order event exactly once, although RabbitMQ delivers it at least once. The consumer acks the
 * message after this promise resolves, that is after the commit: a crash before the commit leaves the message
 * unacked, so it comes back and is applied then.
 */
export async function handleOrderEvent(pool: Pool, message: OrderEventMessage): Promise<void> {
  // TODO(lab 02): apply the event exactly once: in one transaction, record the message id (recordProcessed)
  // and, only if it was new, reserve or release the credit. See http://localhost:3000/labs/02-outbox.
  throw new LabTodo('02', 'handleOrderEvent in labs/02-outbox/customer-service/messaging/handlers.ts');
}
