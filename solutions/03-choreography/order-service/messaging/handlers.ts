import type { Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import { handleOnce } from '#shared/platform/outbox/outbox.ts';
import { findOrder, updateOrder } from '../db/orders.ts';
import { decide, type Verdict } from '../domain/order.ts';
import type { customerEventSchemas } from './contracts.ts';

export type CustomerEvent = DeliveredFor<typeof customerEventSchemas>;

// #region handle-customer-event
/**
 * What each of customer-service's answers means for the order. One entry per type of the contract: a new
 * answer without one does not compile.
 */
const verdictOn = dispatch<CustomerEvent, void, Verdict>({
  CreditReserved: () => ({ kind: 'approve' }),
  CustomerCreditLimitExceeded: ({ payload }) => ({ kind: 'reject', reason: `credit limit of ${payload.limit} exceeded (available ${payload.available})` }),
  CustomerNotFound: ({ payload }) => ({ kind: 'reject', reason: `customer ${payload.customerId} does not exist` }),
});

/** The saga's last step on order-service's side: customer-service's answer approves or rejects the order. */
export async function handleCustomerEvent(pool: Pool, message: CustomerEvent): Promise<void> {
  await handleOnce(pool, message.id, async (tx) => {
    const order = await findOrder(tx, message.payload.orderId, { forUpdate: true });
    if (!order) return; // not one of ours: nothing to decide
    await updateOrder(tx, decide(order, verdictOn(message)));
  });
}
// #endregion handle-customer-event
