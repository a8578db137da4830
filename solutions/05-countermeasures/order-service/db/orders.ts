import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { LocalContext } from '#shared/platform/saga/dsl.ts';
import { pathFor } from '../domain/by-value.ts';
import { decide, type Decision, type OrderChange, type OrderState } from '../domain/order-state.ts';

export interface Order {
  id: string;
  sagaId: string;
  customerId: string;
  total: number;
  state: OrderState;
  rejectionReason?: string;
}

/** The sagas' data: what every step needs to build its command. */
export interface OrderDetails {
  orderId: string;
  customerId: string;
  total: number;
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
    await tx.query('UPDATE orders SET state = $2, rejection_reason = COALESCE($3, rejection_reason), updated_at = now() WHERE id = $1', [orderId, decision.to, reason]);
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

export async function findOrder(db: Pool | PoolClient, id: string, { forUpdate = false } = {}): Promise<Order | undefined> {
  const { rows } = await db.query<{ id: string; saga_id: string; customer_id: string; total: number; state: OrderState; rejection_reason: string | null }>(
    `SELECT id, saga_id, customer_id, total, state, rejection_reason FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, sagaId: row.saga_id, customerId: row.customer_id, total: row.total, state: row.state, ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}) };
}
