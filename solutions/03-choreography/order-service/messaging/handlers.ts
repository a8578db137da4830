import type { Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { handleOnce } from '#shared/platform/outbox/outbox.ts';
import { findOrder, updateOrder } from '../db/orders.ts';
import { decide } from '../domain/order.ts';
import type { customerEventSchemas } from './contracts.ts';

export type CustomerEvent = DeliveredFor<typeof customerEventSchemas>;

/** The saga's last step on order-service's side: customer-service's answer approves or rejects the order. */
export async function handleCustomerEvent(pool: Pool, message: CustomerEvent): Promise<void> {
  // #region handle-customer-event
  await handleOnce(pool, message.id, async (tx) => {
    const order = await findOrder(tx, message.payload.orderId, { forUpdate: true });
    if (!order) return; // not one of ours: nothing to decide
    switch (message.type) {
      case 'CreditReserved':
        await updateOrder(tx, decide(order, { kind: 'approve' }));
        return;
      case 'CustomerCreditLimitExceeded':
        await updateOrder(tx, decide(order, { kind: 'reject', reason: `credit limit of ${message.payload.limit} exceeded (available ${message.payload.available})` }));
        return;
      case 'CustomerNotFound':
        await updateOrder(tx, decide(order, { kind: 'reject', reason: `customer ${message.payload.customerId} does not exist` }));
        return;
    }
  });
  // #endregion handle-customer-event
}
