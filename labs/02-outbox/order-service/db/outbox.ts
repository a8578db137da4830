import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { OrderEvent } from '../domain/order.ts';

/**
 * Appends an event to the outbox. Pass the transaction's client: the row must commit or roll back together
 * with the change it describes. (A Pool is accepted too, which is exactly how the dual write sneaks back in.)
 */
export async function appendToOutbox(db: Pool | PoolClient, event: OrderEvent): Promise<void> {
  await db.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [event.id, event.orderId, event.type, event.payload]);
}
