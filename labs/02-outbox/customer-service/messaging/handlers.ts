import { inTransaction, type Pool, type PoolClient } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import { LabTodo } from '#shared/platform/todo.ts';
import { recordProcessed, releaseCredit, reserveCredit } from '../db/customers.ts';
import type { orderEventSchemas } from './contracts.ts';

export type OrderEventMessage = DeliveredFor<typeof orderEventSchemas>;

/**
 * What each order event does to the customer's credit, inside the handler's transaction. One entry per type
 * of the contract: a type added to `orderEventSchemas` without an entry here does not compile.
 */
export const applyOrderEvent = dispatch<OrderEventMessage, PoolClient>({
  OrderCreated: ({ payload }, tx) => reserveCredit(tx, payload.customerId, payload.total),
  OrderCancelled: ({ payload }, tx) => releaseCredit(tx, payload.customerId, payload.total),
});

/**
 * Applies an order event exactly once, although RabbitMQ delivers it at least once. The consumer acks the
 * message after this promise resolves, that is after the commit: a crash before the commit leaves the message
 * unacked, so it comes back and is applied then.
 */
export async function handleOrderEvent(pool: Pool, message: OrderEventMessage): Promise<void> {
  // TODO(lab 02): apply the event exactly once: in one transaction, record the message id (recordProcessed)
  // and, only if it was new, apply it (applyOrderEvent(message, tx)). See http://localhost:3000/labs/02-outbox.
  throw new LabTodo('02', 'handleOrderEvent in labs/02-outbox/customer-service/messaging/handlers.ts');
}
