import { compensatable, defineSaga, local, pivot, retriable, send } from '#shared/platform/saga/dsl.ts';
import { approveOrder, createPendingOrder, rejectOrder, type OrderDetails } from '../db/orders.ts';

// What each participant's commands carry, built from the saga's data.
const credit = ({ orderId, customerId, total }: OrderDetails) => ({ orderId, customerId, total });
const ticket = ({ orderId, total }: OrderDetails) => ({ orderId, total });

// #region create-order-saga
/**
 * The Create Order saga, step by step. Each compensatable step sits next to its compensation; the pivot is
 * the point of no return (a payment is final); the steps after it can only be retried until they succeed.
 */
export const createOrderSaga = defineSaga<OrderDetails>('create-order-saga', [
  compensatable('create order', local('order-service', 'CreateOrder', createPendingOrder), local('order-service', 'RejectOrder', rejectOrder)),
  // TODO(lab 04): the five other steps of the table on http://localhost:3000/labs/04-orchestration, in order,
  // each made with the function of its kind (compensatable with its compensation, pivot, retriable). The
  // commands go to customer-service, kitchen-service and accounting-service with send(); the last step is
  // local, like the first. `credit` and `ticket` above build their payloads.
]);
// #endregion create-order-saga
