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
  compensatable('reserve credit', send('customer-service', 'ReserveCredit', credit), send('customer-service', 'ReleaseCredit', credit)),
  compensatable('create ticket', send('kitchen-service', 'CreateTicket', ticket), send('kitchen-service', 'RejectTicket', ticket)),
  pivot('authorize payment', send('accounting-service', 'AuthorizePayment', credit)),
  retriable('approve ticket', send('kitchen-service', 'ApproveTicket', ticket)),
  retriable('approve order', local('order-service', 'ApproveOrder', approveOrder)),
]);
// #endregion create-order-saga
