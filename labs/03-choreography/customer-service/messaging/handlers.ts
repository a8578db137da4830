import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';
import { LabTodo } from '#shared/platform/todo.ts';
import { releaseCredit, reserveCredit } from '../db/credit.ts';
import type { CustomerEvent, orderEventSchemas } from './contracts.ts';

export type OrderEvent = DeliveredFor<typeof orderEventSchemas>;

/**
 * customer-service's reaction to each order event, inside the handler's transaction: the credit change, and
 * the answer it publishes. One entry per type of the contract: a new order event without one does not compile.
 */
const reactTo = dispatch<OrderEvent, PoolClient, Promise<CustomerEvent>>({
  // TODO(lab 03): on OrderCreated reserve the credit (reserveCredit) and return the answer: CreditReserved,
  // CustomerCreditLimitExceeded (with limit and available) or CustomerNotFound, from the outcome's kind.
  OrderCreated: async () => {
    throw new LabTodo('03', 'the OrderCreated reaction in labs/03-choreography/customer-service/messaging/handlers.ts');
  },
  // TODO(lab 03): on OrderCancelled release the credit (releaseCredit) and return CreditReleased.
  OrderCancelled: async () => {
    throw new LabTodo('03', 'the OrderCancelled reaction in labs/03-choreography/customer-service/messaging/handlers.ts');
  },
});

/**
 * customer-service's part of the choreography: it reacts to order events and answers with its own events.
 * Nobody tells it what to do next; order-service listens for the answer.
 */
export async function handleOrderEvent(pool: Pool, message: OrderEvent): Promise<void> {
  // TODO(lab 03): react to order events exactly once per message (handleOnce): get the answer from
  // reactTo(message, tx) and append it to the outbox (appendToOutbox) in the same transaction, with the
  // customer as its aggregate. See http://localhost:3000/labs/03-choreography.
  throw new LabTodo('03', 'handleOrderEvent in labs/03-choreography/customer-service/messaging/handlers.ts');
}
