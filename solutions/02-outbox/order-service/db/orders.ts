import { inTransaction, type Pool } from '#shared/platform/db.ts';
import { HttpError } from '#shared/platform/http.ts';
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

/**
 * Stores a cancellation and its OrderCancelled event: both or neither, and once. Throws a 409 when the order
 * was cancelled meanwhile, the same answer as for cancelling an order already cancelled.
 */
export async function saveCancelledOrder(pool: Pool, order: Order, event: OrderEvent): Promise<void> {
  // #region save-cancelled-order
  await inTransaction(pool, async (tx) => {
    // The route decided from a read without a lock: two cancels at once both saw the order CREATED. So the
    // UPDATE changes the row only if it is not cancelled yet. It locks the row, and PostgreSQL checks the
    // WHERE again once a concurrent cancel commits: the second cancel then matches no row, and writes no event
    // (a second OrderCancelled would release the credit twice).
    const { rowCount } = await tx.query('UPDATE orders SET state = $2 WHERE id = $1 AND state <> $2', [order.id, order.state]);
    if (rowCount === 0) throw new HttpError(409, `order ${order.id} is already cancelled`, { field: 'id' });
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
