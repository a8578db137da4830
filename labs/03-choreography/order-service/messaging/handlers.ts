import type { Pool } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import { handleOnce } from '#shared/platform/outbox/outbox.ts';
import { LabTodo } from '#shared/platform/todo.ts';
import { findOrder, updateOrder } from '../db/orders.ts';
import { decide, type Verdict } from '../domain/order.ts';
import type { customerEventSchemas } from './contracts.ts';

export type CustomerEvent = DeliveredFor<typeof customerEventSchemas>;

/**
 * What each of customer-service's answers means for the order. One entry per type of the contract: a new
 * answer without one does not compile.
 */
const verdictOn = dispatch<CustomerEvent, void, Verdict>({
  // TODO(lab 03): approve the order on CreditReserved; reject it on the two other answers, with a reason that
  // names the limit (CustomerCreditLimitExceeded) or says the customer does not exist (CustomerNotFound).
  CreditReserved: () => {
    throw new LabTodo('03', 'the CreditReserved verdict in labs/03-choreography/order-service/messaging/handlers.ts');
  },
  CustomerCreditLimitExceeded: () => {
    throw new LabTodo('03', 'the CustomerCreditLimitExceeded verdict in labs/03-choreography/order-service/messaging/handlers.ts');
  },
  CustomerNotFound: () => {
    throw new LabTodo('03', 'the CustomerNotFound verdict in labs/03-choreography/order-service/messaging/handlers.ts');
  },
});

/** The saga's last step on order-service's side: customer-service's answer approves or rejects the order. */
export async function handleCustomerEvent(pool: Pool, message: CustomerEvent): Promise<void> {
  // TODO(lab 03): customer-service answered. Exactly once per message (handleOnce), lock the order, and store
  // the decision decide() takes on the answer's verdict (verdictOn(message)). See http://localhost:3000/labs/03-choreography.
  throw new LabTodo('03', 'handleCustomerEvent in labs/03-choreography/order-service/messaging/handlers.ts');
}
