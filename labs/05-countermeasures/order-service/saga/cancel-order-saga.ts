import { compensatable, defineSaga, local, pivot, retriable, send } from '#shared/platform/saga/dsl.ts';
import { beginCancel, confirmCancel, undoCancel, type OrderDetails } from '../db/orders.ts';
import { credit, ticket } from './create-order-saga.ts';

// #region cancel-order-saga
/**
 * The Cancel Order saga. Its pivot is the kitchen: it may refuse to cancel a ticket it started cooking, and
 * then the order stays approved.
 */
export const cancelOrderSaga = defineSaga<OrderDetails>('cancel-order-saga', [
  compensatable('begin cancel', local('order-service', 'BeginCancel', beginCancel), local('order-service', 'UndoCancel', undoCancel)),
  // TODO(lab 05): a pessimistic view (http://localhost:3000/labs/05-countermeasures#step-2-a-pessimistic-view). Freed here,
  // before the pivot, the credit can be spent by another order before the kitchen refuses; the compensation
  // then gives it back on top, over the customer's limit. Free it in a retriable step after the pivot.
  compensatable('release credit', send('customer-service', 'ReleaseCredit', credit), send('customer-service', 'ReinstateCredit', credit)),
  pivot('cancel ticket', send('kitchen-service', 'CancelTicket', ticket)),
  retriable('cancel authorization', send('accounting-service', 'CancelAuthorization', credit)),
  retriable('confirm cancel', local('order-service', 'ConfirmCancel', confirmCancel)),
]);
// #endregion cancel-order-saga
