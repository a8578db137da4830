import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, type Pool } from '../db.ts';
import type { Logger } from '../log.ts';
import { PublishManyError, type Broker, type OutgoingMessage } from '../messaging.ts';
import { onOutboxAppend } from './outbox.ts';

/**
 * The platform's polling relay: the same algorithm as lab 02's reference solution (which remains the
 * version to read), used by every service from lab 03 on. Claim the oldest unpublished row of each
 * aggregate (SKIP LOCKED so relays side by side share the work), publish, wait for RabbitMQ's confirms,
 * then mark published, all in one transaction.
 *
 * It reads the outbox by default, or any table with the outbox's columns (lab 08 relays its event store):
 * `id` (increasing), `message_id`, `aggregate_id`, `type`, `payload` and `published_at` are required;
 * `exchange`, `routing_key`, `correlation_id`, `causation_id` and `reply_to` are read when present.
 */

/** The part of a Broker the relay uses. */
export type Publisher = Pick<Broker, 'publishMany'>;

export interface RelayBatchOptions {
  /** Where a row without its own destination goes (a service's events exchange). */
  exchange: string;
  /** The table to relay from (default `outbox`): a lowercase SQL name, optionally `schema.table`. */
  table?: string;
  batchSize?: number;
}

interface RelayedRow {
  id: string;
  message_id: string;
  aggregate_id: string;
  type: string;
  payload: unknown;
  // Absent when the table has no such column; null in a row that left it empty.
  exchange?: string | null;
  routing_key?: string | null;
  correlation_id?: string | null;
  causation_id?: string | null;
  reply_to?: string | null;
}

const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * The table name, quoted for SQL. An identifier cannot be a bind parameter, so it is written into the query
 * text: only a plain lowercase name gets that far (lowercase, because quoting keeps case and an unquoted
 * `CREATE TABLE Events` made a table called `events`).
 */
export function quotedTable(table: string): string {
  if (!SQL_NAME.test(table)) {
    throw new Error(`relay table: expected a lowercase SQL name such as outbox, event_store or app.events (letters, digits, "_"), got ${JSON.stringify(table)}`);
  }
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

// `SELECT o.*`, so a table without the optional columns works too. Per aggregate, only a row with no earlier
// unpublished row is eligible: its successor waits until it is published, so order holds across relays.
const claimSql = (table: string) => `
  SELECT o.*
    FROM ${table} o
   WHERE o.published_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM ${table} earlier
                      WHERE earlier.aggregate_id = o.aggregate_id AND earlier.published_at IS NULL AND earlier.id < o.id)
   ORDER BY o.id
   LIMIT $1
   FOR UPDATE SKIP LOCKED`;

/**
 * Relays one batch; resolves with how many rows it published. Rows go to their own destination, grouped by
 * exchange, one `publishMany` per group. Only rows RabbitMQ confirmed are marked published; when some were
 * not, those stay unpublished for the next batch, and it rejects after committing the others.
 */
export async function relayBatch(pool: Pool, broker: Publisher, options: RelayBatchOptions): Promise<number> {
  const table = quotedTable(options.table ?? 'outbox');
  const outcome = await inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<RelayedRow>(claimSql(table), [options.batchSize ?? 200]);
    if (rows.length === 0) return { claimed: 0, published: 0, failures: [] };
    const { published, failures } = await publishByExchange(broker, options.exchange, rows);
    if (published.length > 0) await tx.query(`UPDATE ${table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [published]);
    return { claimed: rows.length, published: published.length, failures };
  });
  const [first] = outcome.failures;
  if (first !== undefined) {
    const where = outcome.failures.map((f) => `to exchange ${f.exchange}: ${messageOf(f.error)}`).join('; ');
    throw new Error(`${outcome.claimed - outcome.published} of ${outcome.claimed} row(s) of ${table} not confirmed, left unpublished for the next batch (${where})`, { cause: first.error });
  }
  return outcome.published;
}

/**
 * One group at a time, not all at once: a group whose exchange does not exist closes the publishing channel,
 * which would fail every confirm still in flight on it. The Broker opens a fresh channel for the next group.
 * Ordering does not depend on it: a batch holds at most one row of an aggregate.
 */
async function publishByExchange(broker: Publisher, defaultExchange: string, rows: RelayedRow[]) {
  const groups = new Map<string, RelayedRow[]>();
  for (const row of rows) {
    const exchange = row.exchange ?? defaultExchange;
    const group = groups.get(exchange);
    if (group) group.push(row);
    else groups.set(exchange, [row]);
  }
  const published: string[] = [];
  const failures: Array<{ exchange: string; error: unknown }> = [];
  for (const [exchange, group] of groups) {
    try {
      await broker.publishMany(exchange, group.map(toMessage));
      published.push(...group.map((row) => row.id));
    } catch (error) {
      // A PublishManyError names the messages that were not confirmed; the rest were, and count as published.
      // Any other error (the connection is down) leaves the whole group for the next batch.
      if (error instanceof PublishManyError) {
        const failed = new Set(error.failedIds);
        published.push(...group.filter((row) => !failed.has(row.message_id)).map((row) => row.id));
      }
      failures.push({ exchange, error });
    }
  }
  return { published, failures };
}

/** Only the fields a row has: an event row becomes the same plain message as before commands existed. */
function toMessage(row: RelayedRow): OutgoingMessage {
  const message: OutgoingMessage = { id: row.message_id, type: row.type, key: row.aggregate_id, payload: row.payload };
  if (row.routing_key != null) message.routingKey = row.routing_key;
  if (row.correlation_id != null) message.correlationId = row.correlation_id;
  if (row.causation_id != null) message.causationId = row.causation_id;
  if (row.reply_to != null) message.replyTo = row.reply_to;
  return message;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function purgePublished(pool: Pool, retentionMs: number, table = 'outbox'): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM ${quotedTable(table)} WHERE published_at < now() - make_interval(secs => $1::double precision / 1000)`, [retentionMs]);
  return rowCount ?? 0;
}

export interface RelayOptions {
  /** Where a row without its own destination goes (a service's events exchange). */
  exchange: string;
  /** The table to relay from (default `outbox`). */
  table?: string;
  batchSize?: number;
  workers?: number;
  /** The pause after a batch found nothing; it doubles while the outbox stays empty, up to `maxIdleMs`. */
  idleMs?: number;
  maxIdleMs?: number;
  /**
   * How long published rows are kept before the purge deletes them. Default: an hour for the outbox, and
   * never for any other table (an event store's rows are its events, not a queue).
   */
  retentionMs?: number;
  purgeEveryMs?: number;
}

/** Starts the relay's workers and its purge in the background; the returned function stops them. */
export function startRelay(pool: Pool, broker: Publisher, logger: Logger, options: RelayOptions): () => Promise<void> {
  const { exchange, table = 'outbox', batchSize = 200, workers = 2, idleMs = 10, maxIdleMs = 160, purgeEveryMs = 60_000 } = options;
  const retentionMs = options.retentionMs ?? (table === 'outbox' ? 60 * 60_000 : undefined);
  quotedTable(table); // a bad name fails here, at start-up, instead of in every batch
  const stop = new AbortController();
  const { signal } = stop;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => {});
  // Polling an empty outbox every 10 ms costs a service a tenth of a core, and PostgreSQL as much again: on a
  // small machine running a few services, most of the CPU. So a worker that keeps finding nothing polls less
  // and less often, and an append in this process (appendToOutbox) wakes it at once: a message still leaves
  // within milliseconds, and a row written some other way within `maxIdleMs`.
  const wakes = new Set<() => void>();
  const stopListening = table === 'outbox' ? onOutboxAppend(() => wakes.forEach((wake) => wake())) : () => {};
  signal.addEventListener('abort', () => wakes.forEach((wake) => wake()), { once: true });
  /** Sleeps `ms`, or less if this process appends to the outbox meanwhile; true when woken by an append. */
  const idle = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        wakes.delete(wake);
        resolve(woken);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      wakes.add(wake);
    });
  const worker = async () => {
    let wait = idleMs;
    while (!signal.aborted) {
      try {
        if ((await relayBatch(pool, broker, { exchange, table, batchSize })) > 0) wait = idleMs;
        else wait = (await idle(wait)) ? idleMs : Math.min(wait * 2, maxIdleMs);
      } catch (error) {
        if (signal.aborted) break;
        logger.warn({ err: error, table }, 'relay batch failed; retrying');
        await pause(250);
      }
    }
  };
  const purge = async () => {
    while (retentionMs !== undefined && !signal.aborted) {
      await pause(purgeEveryMs);
      if (!signal.aborted) await purgePublished(pool, retentionMs, table).catch(() => 0);
    }
  };
  const running = Promise.all([...Array.from({ length: workers }, worker), purge()]);
  return async () => {
    stop.abort();
    stopListening();
    await running;
  };
}
