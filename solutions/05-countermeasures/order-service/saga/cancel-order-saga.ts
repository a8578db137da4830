import { compensatable, defineSaga, local, pivot, retriable, send } from '#shared/platform/saga/dsl.ts';
import { beginCancel, confirmCancel, undoCancel, type OrderDetails } from '../db/orders.ts';
import { credit, ticket } from './create-order-saga.ts';

// #region cancel-order-saga
/**
 * The Cancel Order saga. Its pivot is the kitchen: it may refuse to cancel a ticket it started cooking, and
 * then the order stays approved. The customer's credit is freed in a retriable step after the pivot (a
 * pessimistic view): freed earlier, another saga could spend it before a refusal takes it back, and the
 * customer would end over the limit.
 */
export const cancelOrderSaga = defineSaga<OrderDetails>('cancel-order-saga', [
  compensatable('begin cancel', local('order-service', 'BeginCancel', beginCancel), local('order-service', 'UndoCancel', undoCancel)),
  pivot('cancel ticket', send('kitchen-service', 'CancelTicket', ticket)),
  retriable('cancel authorization', send('accounting-service', 'CancelAuthorization', credit)),
  retriable('release credit', send('customer-service', 'ReleaseCredit', credit)),
  retriable('confirm cancel', local('order-service', 'ConfirmCancel', confirmCancel)),
]);
// #endregion cancel-order-saga
