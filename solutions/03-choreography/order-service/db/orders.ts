import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { Order } from '../domain/order.ts';

export async function insertOrder(tx: PoolClient, order: Order): Promise<void> {
  await tx.query('INSERT INTO orders (id, customer_id, total, state) VALUES ($1, $2, $3, $4)', [order.id, order.customerId, order.total, order.state]);
}

export async function updateOrder(tx: PoolClient, order: Order): Promise<void> {
  await tx.query('UPDATE orders SET state = $2, rejection_reason = $3, updated_at = now() WHERE id = $1', [order.id, order.state, order.rejectionReason ?? null]);
}

/** `forUpdate` locks the row for the rest of the transaction: two answers for one order take turns. */
export async function findOrder(db: Pool | PoolClient, id: string, { forUpdate = false } = {}): Promise<Order | undefined> {
  const { rows } = await db.query<{ id: string; customer_id: string; total: number; state: Order['state']; rejection_reason: string | null }>(
    `SELECT id, customer_id, total, state, rejection_reason FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, customerId: row.customer_id, total: row.total, state: row.state, ...(row.rejection_reason ? { rejectionReason: row.rejection_reason } : {}) };
}
