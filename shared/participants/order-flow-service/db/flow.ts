import { randomUUID } from 'node:crypto';
import { inTransaction, type Pool } from '../../../platform/db.ts';
import { appendToOutbox } from '../../../platform/outbox/outbox.ts';
import { LIFE_LENGTH, stepEvent, type FlowOrder } from '../messaging/events.ts';

interface Row {
  id: string;
  customer_id: string;
  total: number;
  description: string;
  declined: boolean;
  next_step: number;
}

const toOrder = (r: Row): FlowOrder => ({ id: r.id, customerId: r.customer_id, total: r.total, description: r.description, declined: r.declined });

/** The order and its OrderCreated, in one transaction. */
export async function placeOrder(pool: Pool, order: FlowOrder): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('INSERT INTO flow_orders (id, customer_id, total, description, declined, next_step) VALUES ($1, $2, $3, $4, $5, 1)', [order.id, order.customerId, order.total, order.description, order.declined]);
    await appendToOutbox(tx, stepEvent(randomUUID(), order, 0));
  });
}

/**
 * Moves up to `limit` unfinished orders one step on, each step's event in the transaction that records it.
 * SKIP LOCKED: two workers never move the same order at once. Returns how many moved.
 */
export async function advanceOrders(pool: Pool, limit = 100): Promise<number> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<Row>(`SELECT * FROM flow_orders WHERE next_step < ${LIFE_LENGTH} ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
    for (const row of rows) {
      await appendToOutbox(tx, stepEvent(randomUUID(), toOrder(row), row.next_step));
      await tx.query('UPDATE flow_orders SET next_step = next_step + 1 WHERE id = $1', [row.id]);
    }
    return rows.length;
  });
}

export async function findOrder(pool: Pool, id: string) {
  const { rows } = await pool.query<Row>('SELECT * FROM flow_orders WHERE id = $1', [id]);
  const row = rows[0];
  return row && { ...toOrder(row), eventsPublished: row.next_step, finished: row.next_step >= LIFE_LENGTH };
}
