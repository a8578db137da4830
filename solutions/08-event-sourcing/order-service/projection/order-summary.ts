import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, type Pool } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import type { StoredEvent } from '../db/event-store.ts';
import { checkpointOf, loadCheckpoint, readCommitted, saveCheckpoint, START } from '../db/store-reader.ts';
import { totalOf, type OrderEvent } from '../domain/events.ts';

export const PROJECTION = 'order-summary';

/** One row of the read model: what a list of orders shows, without loading any stream. */
export interface OrderSummary {
  orderId: string;
  customerId: string;
  status: 'open' | 'confirmed' | 'cancelled';
  lineCount: number;
  total: number;
  version: number;
}

/** What one event changes in an order's summary (undefined: the order has none yet). Pure, like `evolve`. */
export function summarize(summary: OrderSummary | undefined, event: OrderEvent, version: number): OrderSummary | undefined {
  if (event.type === 'OrderPlaced') return { orderId: event.data.orderId, customerId: event.data.customerId, status: 'open', lineCount: 0, total: 0, version };
  if (!summary) return undefined;
  switch (event.type) {
    case 'LineAdded':
      return { ...summary, lineCount: summary.lineCount + 1, total: summary.total + totalOf([event.data.line]), version };
    case 'OrderConfirmed':
      return { ...summary, status: 'confirmed', total: event.data.total, version };
    case 'OrderCancelled':
      return { ...summary, status: 'cancelled', version };
  }
}

/**
 * Applies the next batch of the store to the summaries. The rows and the checkpoint change in one
 * transaction of the same database: a crash undoes both, so each event counts exactly once, with no dedup
 * table. Resolves with how many events it applied.
 */
export async function projectBatch(pool: Pool, batchSize = 500): Promise<number> {
  return inTransaction(pool, async (tx) => {
    // FOR UPDATE: two projectors (two instances of the service) take turns instead of applying a batch twice.
    const checkpoint = await loadCheckpoint(tx, PROJECTION, true);
    const events = await readCommitted(tx, checkpoint, batchSize);
    for (const event of events) await applyEvent(tx, event);
    await saveCheckpoint(tx, PROJECTION, checkpointOf(events, checkpoint));
    return events.length;
  });
}

async function applyEvent(tx: Parameters<Parameters<typeof inTransaction>[1]>[0], event: StoredEvent): Promise<void> {
  const { rows } = await tx.query<OrderSummary>(
    'SELECT order_id AS "orderId", customer_id AS "customerId", status, line_count AS "lineCount", total::int AS total, version FROM order_summary WHERE order_id = $1',
    [event.streamId],
  );
  const next = summarize(rows[0], { type: event.type, data: event.data } as OrderEvent, event.version);
  if (!next) return;
  await tx.query(
    `INSERT INTO order_summary (order_id, customer_id, status, line_count, total, version) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (order_id) DO UPDATE SET status = $3, line_count = $4, total = $5, version = $6`,
    [next.orderId, next.customerId, next.status, next.lineCount, next.total, next.version],
  );
}

/**
 * Throws the read model away and starts it again from the first event. One transaction: a reader sees the
 * old summaries or an empty table being refilled, and the projector (which takes the checkpoint's row lock)
 * never applies a batch half before and half after.
 */
export async function rebuildOrderSummary(pool: Pool): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await loadCheckpoint(tx, PROJECTION, true);
    await tx.query('DELETE FROM order_summary');
    await saveCheckpoint(tx, PROJECTION, START);
  });
}

export interface Projector {
  /** Batches read so far (empty ones too): a grader waits for it to grow to know the projector looked. */
  readonly batches: number;
  stop(): Promise<void>;
}

/** Keeps the projection up to date in the background. */
export function startProjector(pool: Pool, logger: Logger, idleMs = 20): Projector {
  const stop = new AbortController();
  let batches = 0;
  const running = (async () => {
    while (!stop.signal.aborted) {
      try {
        const applied = await projectBatch(pool);
        batches += 1;
        if (applied === 0) await sleep(idleMs, undefined, { signal: stop.signal }).catch(() => {});
      } catch (error) {
        if (stop.signal.aborted) break;
        logger.warn({ err: error }, 'projection batch failed; retrying');
        await sleep(250, undefined, { signal: stop.signal }).catch(() => {});
      }
    }
  })();
  return {
    get batches() {
      return batches;
    },
    async stop() {
      stop.abort();
      await running;
    },
  };
}
