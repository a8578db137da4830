import { compensatable, defineSaga, local, pivot, retriable, send } from '#shared/platform/saga/dsl.ts';
import { approveOrder, createPendingOrder, rejectOrder, type OrderDetails } from '../db/orders.ts';

// What each participant's commands carry, built from the saga's data.
export const credit = ({ orderId, customerId, total }: OrderDetails) => ({ orderId, customerId, total });
export const ticket = ({ orderId, total }: OrderDetails) => ({ orderId, total });

/** Lab 04's Create Order saga, unchanged: the order stays APPROVAL_PENDING (locked) until its last step. */
export const createOrderSaga = defineSaga<OrderDetails>('create-order-saga', [
  compensatable('create order', local('order-service', 'CreateOrder', createPendingOrder), local('order-service', 'RejectOrder', rejectOrder)),
  compensatable('reserve credit', send('customer-service', 'ReserveCredit', credit), send('customer-service', 'ReleaseCredit', credit)),
  compensatable('create ticket', send('kitchen-service', 'CreateTicket', ticket), send('kitchen-service', 'RejectTicket', ticket)),
  pivot('authorize payment', send('accounting-service', 'AuthorizePayment', credit)),
  retriable('approve ticket', send('kitchen-service', 'ApproveTicket', ticket)),
  retriable('approve order', local('order-service', 'ApproveOrder', approveOrder)),
]);
