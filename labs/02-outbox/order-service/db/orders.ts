import { inTransaction, type Pool } from '#shared/platform/db.ts';
import { HttpError } from '#shared/platform/http.ts';
import type { Order, OrderEvent } from '../domain/order.ts';
import { appendToOutbox } from './outbox.ts';

/** Stores a new order and its OrderCreated event: both or neither. */
export async function saveNewOrder(pool: Pool, order: Order, event: OrderEvent): Promise<void> {
  // TODO(lab 02): write the order AND its OrderCreated event (appendToOutbox) in ONE transaction (inTransaction),
  // so that both commit or neither does. See http://localhost:3000/labs/02-outbox and `npm run hint -- 02`.
  await pool.query('INSERT INTO orders (id, customer_id, total, state) VALUES ($1, $2, $3, $4)', [order.id, order.customerId, order.total, order.state]);
}

/**
 * Stores a cancellation and its OrderCancelled event: both or neither, and once. Throws a 409 when the order
 * was cancelled meanwhile, the same answer as for cancelling an order already cancelled.
 */
export async function saveCancelledOrder(pool: Pool, order: Order, event: OrderEvent): Promise<void> {
  // TODO(lab 02): the same for a cancellation: the state change and the OrderCancelled event in one transaction.
  // And once: the route decided from a read without a lock, so two cancels at once both saw the order CREATED.
  // Change the row only if it is not cancelled yet, and if it was, write no event and throw
  // `new HttpError(409, ...)`. See step 1 on http://localhost:3000/labs/02-outbox.
  await pool.query('UPDATE orders SET state = $2 WHERE id = $1', [order.id, order.state]);
}

export async function findOrder(pool: Pool, id: string): Promise<Order | undefined> {
  const { rows } = await pool.query<{ id: string; customer_id: string; total: number; state: Order['state'] }>(
    'SELECT id, customer_id, total, state FROM orders WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, customerId: row.customer_id, total: row.total, state: row.state };
}
