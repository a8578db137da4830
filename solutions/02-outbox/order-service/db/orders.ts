import { inTransaction, type Pool } from '#shared/platform/db.ts';
import type { Order, OrderEvent } from '../domain/order.ts';
import { appendToOutbox } from './outbox.ts';

/** Stores a new order and its OrderCreated event: both or neither. */
export async function saveNewOrder(pool: Pool, order: Order, event: OrderEvent): Promise<void> {
  // #region save-new-order
  await inTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO orders (id, customer_id, total, state) VALUES ($1, $2, $3, $4)', [order.id, order.customerId, order.total, order.state]);
    // Same transaction, same commit: if the order is rolled back, so is its event, and nothing is published.
    await appendToOutbox(tx, event);
  });
  // #endregion save-new-order
}

/** Stores a cancellation and its OrderCancelled event: both or neither. */
export async function saveCancelledOrder(pool: Pool, order: Order, event: OrderEvent): Promise<void> {
  // #region save-cancelled-order
  await inTransaction(pool, async (tx) => {
    await tx.query('UPDATE orders SET state = $2 WHERE id = $1', [order.id, order.state]);
    await appendToOutbox(tx, event);
  });
  // #endregion save-cancelled-order
}

export async function findOrder(pool: Pool, id: string): Promise<Order | undefined> {
  const { rows } = await pool.query<{ id: string; customer_id: string; total: number; state: Order['state'] }>(
    'SELECT id, customer_id, total, state FROM orders WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, customerId: row.customer_id, total: row.total, state: row.state };
}
