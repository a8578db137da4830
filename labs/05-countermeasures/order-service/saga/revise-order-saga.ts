import type { PoolClient } from '#shared/platform/db.ts';
import { compensatable, defineSaga, local, pivot, retriable, send } from '#shared/platform/saga/dsl.ts';
import { rereadOrder, writeTotal, type RevisionDetails } from '../db/orders.ts';

/**
 * The credit change a revision asks customer-service for, computed from the total the saga read. An increase
 * is reserved before the pivot, where a refusal (over the limit) can still undo the saga; a decrease is freed
 * after it, in a retriable step that is never compensated (a pessimistic view, as in Cancel Order). One of
 * the two is always zero.
 */
export const raise = ({ orderId, customerId, revisionId, total, readTotal }: RevisionDetails) => ({ orderId, customerId, revisionId, delta: Math.max(0, total - readTotal) });
export const lower = ({ orderId, customerId, revisionId, total, readTotal }: RevisionDetails) => ({ orderId, customerId, revisionId, delta: Math.min(0, total - readTotal) });

// #region revise-order-saga
/**
 * The Revise Order saga: a new total for an approved order. It takes no semantic lock (the order stays
 * APPROVED), so another saga may change the order while it runs.
 */
export const reviseOrderSaga = defineSaga<RevisionDetails>('revise-order-saga', [
  compensatable('raise credit', send('customer-service', 'ReviseCredit', raise), send('customer-service', 'UndoCreditRevision', raise)),
  // TODO(lab 05): reread value (http://localhost:3000/labs/05-countermeasures#step-6-reread-value). Today the pivot writes the
  // total at once, trusting the order as it was read when the saga started. Reread it here, in this step
  // (rereadOrder in db/orders.ts, which asks your decideRevision), then write: one local transaction.
  pivot('revise order', local('order-service', 'ReviseOrder', writeTotal)),
  retriable('lower credit', send('customer-service', 'ReviseCredit', lower)),
]);
// #endregion revise-order-saga
