import path from 'node:path';
import { inTransaction, type Pool, type PoolClient } from '../db.ts';

/** Add to a service's migrations to get the outbox and processed-messages tables. */
export const OUTBOX_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** An event waiting in the outbox: `aggregateId` orders events (one aggregate's events go out in order). */
export interface OutboxEvent {
  id: string;
  type: string;
  aggregateId: string;
  payload: unknown;
}

/**
 * Appends events to the outbox inside the caller's transaction (`tx`, never the pool): the events commit or
 * roll back with the change they describe. This is lab 02's lesson, kept as platform code from lab 03 on.
 */
export async function appendToOutbox(tx: PoolClient, ...events: OutboxEvent[]): Promise<void> {
  for (const event of events) {
    await tx.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [event.id, event.aggregateId, event.type, event.payload]);
  }
}

/**
 * Runs `work` at most once per message id: the record of the message and the work commit in one
 * transaction, so a redelivered copy finds the record and changes nothing. Resolves only after the commit,
 * so the consumer acks after the effect is durable. Returns false for a duplicate.
 */
export async function handleOnce(pool: Pool, messageId: string, work: (tx: PoolClient) => Promise<void>): Promise<boolean> {
  return inTransaction(pool, async (tx) => {
    const { rowCount } = await tx.query('INSERT INTO processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING', [messageId]);
    if (rowCount !== 1) return false;
    await work(tx);
    return true;
  });
}

/** Deletes processed-message records older than `retentionMs` (far longer than any redelivery can take). */
export async function purgeProcessed(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM processed_messages WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)', [retentionMs]);
  return rowCount ?? 0;
}
