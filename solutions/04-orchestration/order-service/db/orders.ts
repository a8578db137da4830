import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { LocalContext } from '#shared/platform/saga/dsl.ts';

/** APPROVAL_PENDING while the saga runs (lab 05 calls it a semantic lock); the saga ends it. */
export type OrderState = 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED';

export interface Order {
  id: string;
  sagaId: string;
  customerId: string;
  total: number;
  state: OrderState;
  rejectionReason?: string;
}

/** The saga's data: what every step needs to build its command. */
export interface OrderDetails {
  orderId: string;
  customerId: string;
  total: number;
}

// The saga's local actions: they run in the transaction that saves the saga's new state.

export async function createPendingOrder(tx: PoolClient, order: OrderDetails, { sagaId }: LocalContext): Promise<void> {
  await tx.query("INSERT INTO orders (id, saga_id, customer_id, total, state) VALUES ($1, $2, $3, $4, 'APPROVAL_PENDING')", [order.orderId, sagaId, order.customerId, order.total]);
}

export async function rejectOrder(tx: PoolClient, order: OrderDetails, { failure }: LocalContext): Promise<void> {
  await tx.query("UPDATE orders SET state = 'REJECTED', rejection_reason = $2, updated_at = now() WHERE id = $1 AND state = 'APPROVAL_PENDING'", [order.orderId, failure]);
}

export async function approveOrder(tx: PoolClient, order: OrderDetails): Promise<void> {
  await tx.query("UPDATE orders SET state = 'APPROVED', updated_at = now() WHERE id = $1 AND state = 'APPROVAL_PENDING'", [order.orderId]);
}

export async function findOrder(db: Pool | PoolClient, id: string): Promise<Order | undefined> {
  const { rows } = await db.query<{ id: string; saga_id: string; customer_id: string; total: number; state: OrderState; rejection_reason: string | null }>(
    'SELECT id, saga_id, customer_id, total, state, rejection_reason FROM orders WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, sagaId: row.saga_id, customerId: row.customer_id, total: row.total, state: row.state, ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}) };
}
