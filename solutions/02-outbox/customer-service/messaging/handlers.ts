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
  // #region handle-order-event
  await inTransaction(pool, async (tx) => {
    // The dedup record and the effect commit together: either both happened or neither did.
    if (!(await recordProcessed(tx, message.id))) return;
    const { customerId, total } = message.payload;
    if (message.type === 'OrderCreated') await reserveCredit(tx, customerId, total);
    else await releaseCredit(tx, customerId, total);
  });
  // #endregion handle-order-event
}
