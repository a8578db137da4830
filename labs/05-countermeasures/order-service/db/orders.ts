import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { LocalContext, LocalRefusal } from '#shared/platform/saga/dsl.ts';
import { pathFor } from '../domain/by-value.ts';
import { decide, type Decision, type OrderChange, type OrderState } from '../domain/order-state.ts';
import { decideRevision } from '../domain/reread-value.ts';

export interface Order {
  id: string;
  sagaId: string;
  customerId: string;
  total: number;
  state: OrderState;
  /** One more on every change (state or total): what Revise Order rereads. */
  version: number;
  rejectionReason?: string;
}

/** The sagas' data: what every step needs to build its command. */
export interface OrderDetails {
  orderId: string;
  customerId: string;
  total: number;
}

/** The Revise Order saga's data: the new `total`, and the order as the saga read it when it started. */
export interface RevisionDetails extends OrderDetails {
  /** Names this revision at customer-service, so that a command sent again changes the credit once. */
  revisionId: string;
  readTotal: number;
  readVersion: number;
}

export async function createPendingOrder(tx: PoolClient, order: OrderDetails, { sagaId }: LocalContext): Promise<void> {
  await tx.query("INSERT INTO orders (id, saga_id, customer_id, total, state) VALUES ($1, $2, $3, $4, 'APPROVAL_PENDING')", [order.orderId, sagaId, order.customerId, order.total]);
}

/**
 * Every other change of an order's state goes through `decide`, with the order's row locked for the caller's
 * transaction: the state read is the state changed. Returns the decision (undefined: no such order).
 */
export async function changeOrder(tx: PoolClient, orderId: string, change: OrderChange, reason: string | null = null): Promise<Decision | undefined> {
  const order = await findOrder(tx, orderId, { forUpdate: true });
  if (!order) return undefined;
  const decision = decide(order.state, change);
  if (decision.kind === 'move') {
    await tx.query('UPDATE orders SET state = $2, rejection_reason = COALESCE($3, rejection_reason), version = version + 1, updated_at = now() WHERE id = $1', [orderId, decision.to, reason]);
  }
  return decision;
}

// The sagas' local actions: they run in the transaction that saves the saga's new state. A change that is
// not allowed does nothing: the step is done, and the order keeps the state another saga gave it.
const changeBy = (change: OrderChange) => async (tx: PoolClient, order: OrderDetails, { failure }: LocalContext) => {
  await changeOrder(tx, order.orderId, change, change === 'reject' ? failure : null);
};
/** Create Order's last step: a small order is approved; a high-value one stays locked until it is confirmed. */
export const approveOrder = async (tx: PoolClient, order: OrderDetails, context: LocalContext) => {
  await changeBy(pathFor(order.total) === 'confirm-first' ? 'await-confirmation' : 'approve')(tx, order, context);
};
export const rejectOrder = changeBy('reject');
export const beginCancel = changeBy('begin-cancel');
export const confirmCancel = changeBy('confirm-cancel');
export const undoCancel = changeBy('undo-cancel');

/**
 * Reads the order again, its row locked until the step's transaction ends, and asks `decideRevision` whether
 * the revision still applies. Answers a refusal (the saga's step fails) when it does not.
 */
export async function rereadOrder(tx: PoolClient, revision: RevisionDetails): Promise<LocalRefusal | undefined> {
  const order = await findOrder(tx, revision.orderId, { forUpdate: true });
  if (!order) return { refused: `order ${revision.orderId} does not exist` };
  const decision = decideRevision({ total: revision.readTotal, version: revision.readVersion }, order);
  return decision.kind === 'abort' ? { refused: decision.reason } : undefined;
}

/** Writes the revised total and a new version: any saga that read the order before now reads a changed one. */
export async function writeTotal(tx: PoolClient, revision: RevisionDetails): Promise<void> {
  await tx.query('UPDATE orders SET total = $2, version = version + 1, updated_at = now() WHERE id = $1', [revision.orderId, revision.total]);
}

export async function findOrder(db: Pool | PoolClient, id: string, { forUpdate = false } = {}): Promise<Order | undefined> {
  const { rows } = await db.query<{ id: string; saga_id: string; customer_id: string; total: number; state: OrderState; version: number; rejection_reason: string | null }>(
    `SELECT id, saga_id, customer_id, total, state, version, rejection_reason FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, sagaId: row.saga_id, customerId: row.customer_id, total: row.total, state: row.state, version: row.version, ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}) };
}
