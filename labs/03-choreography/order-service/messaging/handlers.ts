import { LabTodo } from '#shared/platform/todo.ts';
import type { Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { handleOnce } from '#shared/platform/outbox/outbox.ts';
import { findOrder, updateOrder } from '../db/orders.ts';
import { decide } from '../domain/order.ts';
import type { customerEventSchemas } from './contracts.ts';

export type CustomerEvent = DeliveredFor<typeof customerEventSchemas>;

/** The saga's last step on order-service's side: customer-service's answer approves or rejects the order. */
export async function handleCustomerEvent(pool: Pool, message: CustomerEvent): Promise<void> {
  // TODO(lab 03): customer-service answered. Exactly once per message (handleOnce), lock the order, and
  // approve it on CreditReserved or reject it (with a reason) on CustomerCreditLimitExceeded or
  // CustomerNotFound, using decide() from the domain. See http://localhost:3000/labs/03-choreography.
  throw new LabTodo('03', 'handleCustomerEvent in labs/03-choreography/order-service/messaging/handlers.ts');
}
