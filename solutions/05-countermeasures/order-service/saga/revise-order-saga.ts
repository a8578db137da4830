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
 * The reread and the write in one local transaction, with the order's row locked from one to the other:
 * once the version is confirmed, nothing can change the order before the new total is written.
 */
const rereadThenWrite = async (tx: PoolClient, revision: RevisionDetails) => (await rereadOrder(tx, revision)) ?? writeTotal(tx, revision);

/**
 * The Revise Order saga: a new total for an approved order. It takes no semantic lock (the order stays
 * APPROVED), so another saga may change the order while it runs; its pivot rereads the order's version, and
 * aborts the saga if it moved (reread value).
 */
export const reviseOrderSaga = defineSaga<RevisionDetails>('revise-order-saga', [
  compensatable('raise credit', send('customer-service', 'ReviseCredit', raise), send('customer-service', 'UndoCreditRevision', raise)),
  pivot('revise order', local('order-service', 'ReviseOrder', rereadThenWrite)),
  retriable('lower credit', send('customer-service', 'ReviseCredit', lower)),
]);
// #endregion revise-order-saga
