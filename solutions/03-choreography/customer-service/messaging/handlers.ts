import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';
import { releaseCredit, reserveCredit } from '../db/credit.ts';
import type { CustomerEvent, orderEventSchemas } from './contracts.ts';

export type OrderEvent = DeliveredFor<typeof orderEventSchemas>;

// #region handle-order-event
/**
 * customer-service's reaction to each order event, inside the handler's transaction: the credit change, and
 * the answer it publishes. One entry per type of the contract: a new order event without one does not compile.
 */
const reactTo = dispatch<OrderEvent, PoolClient, Promise<CustomerEvent>>({
  OrderCreated: async ({ payload: { orderId, customerId, total } }, tx) => {
    const outcome = await reserveCredit(tx, customerId, total);
    switch (outcome.kind) {
      case 'reserve':
        return { type: 'CreditReserved', payload: { orderId, customerId, total } };
      case 'limit-exceeded':
        return { type: 'CustomerCreditLimitExceeded', payload: { orderId, customerId, total, limit: outcome.limit, available: outcome.available } };
      case 'customer-not-found':
        return { type: 'CustomerNotFound', payload: { orderId, customerId } };
    }
  },
  OrderCancelled: async ({ payload: { orderId, customerId, total } }, tx) => {
    await releaseCredit(tx, customerId, total);
    return { type: 'CreditReleased', payload: { orderId, customerId, total } };
  },
});

/**
 * customer-service's part of the choreography: it reacts to order events and answers with its own events.
 * Nobody tells it what to do next; order-service listens for the answer.
 */
export async function handleOrderEvent(pool: Pool, message: OrderEvent): Promise<void> {
  await handleOnce(pool, message.id, async (tx) => {
    const answer = await reactTo(message, tx);
    // The answer goes out through the outbox, in the same transaction as the credit change and the dedup record.
    await appendToOutbox(tx, { id: randomUUID(), aggregateId: message.payload.customerId, ...answer });
  });
}
// #endregion handle-order-event
