import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, type Pool } from '../db.ts';
import type { Logger } from '../log.ts';
import type { Broker, OutgoingMessage } from '../messaging.ts';

/**
 * The platform's polling relay: the same algorithm as lab 02's reference solution (which remains the
 * version to read), used by every service from lab 03 on. Claim the oldest unpublished event of each
 * aggregate (SKIP LOCKED so relays side by side share the work), publish, wait for RabbitMQ's confirms,
 * then mark published, all in one transaction.
 */
const CLAIM = `
  SELECT o.id, o.message_id, o.aggregate_id, o.type, o.payload
    FROM outbox o
   WHERE o.published_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM outbox earlier
                      WHERE earlier.aggregate_id = o.aggregate_id AND earlier.published_at IS NULL AND earlier.id < o.id)
   ORDER BY o.id
   LIMIT $1
   FOR UPDATE SKIP LOCKED`;

export async function relayBatch(pool: Pool, broker: Broker, exchange: string, batchSize: number): Promise<number> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string; message_id: string; aggregate_id: string; type: string; payload: unknown }>(CLAIM, [batchSize]);
    if (rows.length === 0) return 0;
    const messages: OutgoingMessage[] = rows.map((r) => ({ id: r.message_id, type: r.type, key: r.aggregate_id, payload: r.payload }));
    await broker.publishMany(exchange, messages);
    await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    return rows.length;
  });
}

export async function purgePublished(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1::double precision / 1000)', [retentionMs]);
  return rowCount ?? 0;
}

export interface RelayOptions {
  exchange: string;
  batchSize?: number;
  workers?: number;
  idleMs?: number;
  retentionMs?: number;
  purgeEveryMs?: number;
}

/** Starts the relay's workers and its purge in the background; the returned function stops them. */
export function startRelay(pool: Pool, broker: Broker, logger: Logger, options: RelayOptions): () => Promise<void> {
  const { exchange, batchSize = 200, workers = 2, idleMs = 10, retentionMs = 60 * 60_000, purgeEveryMs = 60_000 } = options;
  const stop = new AbortController();
  const { signal } = stop;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => {});
  const worker = async () => {
    while (!signal.aborted) {
      try {
        if ((await relayBatch(pool, broker, exchange, batchSize)) === 0) await pause(idleMs);
      } catch (error) {
        if (signal.aborted) break;
        logger.warn({ err: error }, 'relay batch failed; retrying');
        await pause(250);
      }
    }
  };
  const purge = async () => {
    while (!signal.aborted) {
      await pause(purgeEveryMs);
      if (!signal.aborted) await purgePublished(pool, retentionMs).catch(() => 0);
    }
  };
  const running = Promise.all([...Array.from({ length: workers }, worker), purge()]);
  return async () => {
    stop.abort();
    await running;
  };
}
