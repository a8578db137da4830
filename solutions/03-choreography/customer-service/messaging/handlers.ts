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
  // #region handle-order-event
  await handleOnce(pool, message.id, async (tx) => {
    const { orderId, customerId, total } = message.payload;
    let answer: CustomerEvent;
    if (message.type === 'OrderCreated') {
      const outcome = await reserveCredit(tx, customerId, total);
      answer =
        outcome.kind === 'reserve'
          ? { type: 'CreditReserved', payload: { orderId, customerId, total } }
          : outcome.kind === 'limit-exceeded'
            ? { type: 'CustomerCreditLimitExceeded', payload: { orderId, customerId, total, limit: outcome.limit, available: outcome.available } }
            : { type: 'CustomerNotFound', payload: { orderId, customerId } };
    } else {
      await releaseCredit(tx, customerId, total);
      answer = { type: 'CreditReleased', payload: { orderId, customerId, total } };
    }
    // The answer goes out through the outbox, in the same transaction as the credit change and the dedup record.
    await appendToOutbox(tx, { id: randomUUID(), aggregateId: customerId, ...answer });
  });
  // #endregion handle-order-event
}
