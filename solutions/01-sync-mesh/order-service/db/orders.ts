import type { Pool } from '#shared/platform/db.ts';
import type { Order } from '../domain/order.ts';

export async function insertOrder(pool: Pool, order: Order): Promise<void> {
  await pool.query('INSERT INTO orders (id, customer_id, total, state) VALUES ($1, $2, $3, $4)', [order.id, order.customerId, order.total, order.state]);
}

export async function findOrder(pool: Pool, id: string): Promise<Order | undefined> {
  const { rows } = await pool.query<{ id: string; customer_id: string; total: number; state: Order['state'] }>(
    'SELECT id, customer_id, total, state FROM orders WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, customerId: row.customer_id, total: row.total, state: row.state };
}
