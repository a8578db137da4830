import { setTimeout as sleep } from 'node:timers/promises';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Pool } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import type { Broker, OutgoingMessage } from '#shared/platform/messaging.ts';
import { PUBLICATION, slotPosition } from './setup.ts';

export const EXCHANGE = 'order-events';

/** An outbox row as pgoutput decodes it: the bigint id as a string, the jsonb payload already parsed. */
interface OutboxRow {
  id: string;
  message_id: string;
  aggregate_id: string;
  type: string;
  payload: unknown;
}

/** The same message lab 02's polling relay sends: consumers cannot tell which relay published it. */
export function toMessage(row: OutboxRow): OutgoingMessage {
  return { id: row.message_id, type: row.type, key: row.aggregate_id, payload: row.payload };
}

/** What an AckQueue may do with the outside world; one subscription to the slot provides it. */
export interface StreamIo {
  /** Resolves once RabbitMQ confirmed the message; rejects if it did not. */
  publish(message: OutgoingMessage): Promise<void>;
  /** Tells PostgreSQL that everything up to and including `lsn` is done: the slot will not send it again. */
  acknowledge(lsn: string): void;
  /** Ends this subscription; the relay subscribes again and PostgreSQL resends all that was not acknowledged. */
  fail(error: Error): void;
}

// #region wal-relay
/**
 * One subscription's messages, in commit order. An outbox insert is published without waiting for the
 * confirms of other aggregates' messages, so the stream keeps moving while RabbitMQ confirms; but never while
 * an earlier message of its own aggregate is unconfirmed (see `publishInOrder`). Each transaction waits in
 * `pending` until RabbitMQ confirmed all of its messages, and the slot is acknowledged only from the head of
 * that queue: its position never passes a message RabbitMQ might not have.
 */
export class AckQueue {
  /** Confirms of the transaction being received; its commit has not arrived yet. */
  private current: Array<Promise<void>> = [];
  /** Transactions received and not acknowledged yet, oldest first. */
  private readonly pending: Array<{ lsn: string; confirmed: boolean }> = [];
  /** Per aggregate, the confirm of its newest message published or waiting to be; absent once confirmed. */
  private readonly newestOf = new Map<string, Promise<void>>();

  constructor(private readonly io: StreamIo) {}

  onMessage(message: Pgoutput.Message): void {
    if (message.tag === 'insert' && message.relation.name === 'outbox') {
      this.current.push(this.publishInOrder(message.new as OutboxRow));
    } else if (message.tag === 'commit') {
      // The commit's own LSN, not commitEndLsn: `acknowledge` reports one byte past what it is given, and one
      // byte past the end of this commit record may already be the start of the next transaction's.
      const transaction = { lsn: message.commitLsn!, confirmed: false };
      this.pending.push(transaction);
      Promise.all(this.current.splice(0)).then(
        () => {
          transaction.confirmed = true;
          this.acknowledgeConfirmed();
        },
        // Not confirmed: the stream cannot be rewound in place. Failing it makes the relay subscribe again,
        // and PostgreSQL resends from the last acknowledged commit (duplicates, which the consumer absorbs).
        (error: Error) => this.io.fail(error),
      );
    }
  }

  /**
   * Publishes the row's message once the message before it of the same aggregate is confirmed (at once if
   * none is in flight). If that one fails, this one is never published: the stream fails, and PostgreSQL
   * resends both, in order. Published regardless, it could be confirmed and delivered before the resent one,
   * and its consumer would see an order cancelled before it was created.
   */
  private publishInOrder(row: OutboxRow): Promise<void> {
    const key = row.aggregate_id;
    const before = this.newestOf.get(key);
    const confirmed = before ? before.then(() => this.io.publish(toMessage(row))) : this.io.publish(toMessage(row));
    this.newestOf.set(key, confirmed);
    // Also marks the promise handled: a failure is dealt with at the commit, which may never arrive.
    const forget = () => {
      if (this.newestOf.get(key) === confirmed) this.newestOf.delete(key);
    };
    confirmed.then(forget, forget);
    return confirmed;
  }

  /** Acknowledges the newest transaction of the confirmed head of the queue; a later confirm waits its turn. */
  private acknowledgeConfirmed(): void {
    let newest: string | undefined;
    while (this.pending[0]?.confirmed) newest = this.pending.shift()!.lsn;
    if (newest) this.io.acknowledge(newest);
  }
}
// #endregion wal-relay

/** Deletes outbox rows older than the retention, so the table does not grow forever. */
export async function purgeOlderThan(pool: Pool, retentionMs: number): Promise<number> {
  // Safe even for a row not relayed yet: the relay reads the insert from the WAL, which holds the whole new
  // row, and the slot keeps that WAL until the insert is acknowledged. The publication sends inserts only, so
  // these DELETEs are not streamed. The rows could go at once (Debezium's outbox does that); keeping an hour
  // leaves something to look at when a consumer asks "was this event ever emitted?".
  const { rowCount } = await pool.query('DELETE FROM outbox WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)', [retentionMs]);
  return rowCount ?? 0;
}

export interface WalRelayOptions {
  databaseUrl: string;
  slot: string;
  retentionMs: number;
  purgeEveryMs: number;
  /** How often a standby tries to take the slot over while another relay streams from it. */
  standbyRetryMs: number;
  signal: AbortSignal;
  /** Called when this relay streams or stands by (every time; the caller logs `ready` once). */
  onReady: () => void;
}

/** The WAL relay: subscribes to the slot again and again until `signal` aborts; a purge runs on the side. */
export async function runWalRelay(pool: Pool, broker: Broker, logger: Logger, options: WalRelayOptions): Promise<void> {
  const { signal } = options;
  const stream = async () => {
    let standingBy = false;
    while (!signal.aborted) {
      // Subscribing while RabbitMQ is unreachable would only fail again, and take the slot from a relay that can publish.
      while (!broker.connected && !signal.aborted) await sleep(100, undefined, { signal }).catch(() => {});
      const outcome = await subscribeOnce(pool, broker, logger, options);
      if (outcome === 'slot busy') {
        // Another relay streams from the slot, and a slot has one reader at a time. Stay a hot standby: the
        // moment the other one dies, its walsender ends and this relay takes over from the slot's position.
        if (!standingBy) logger.info({ slot: options.slot }, 'the slot is in use by another relay; standing by');
        standingBy = true;
        options.onReady();
        await sleep(options.standbyRetryMs, undefined, { signal }).catch(() => {});
        continue;
      }
      standingBy = false;
      await sleep(250, undefined, { signal }).catch(() => {});
    }
  };
  const purge = async () => {
    while (!signal.aborted) {
      await sleep(options.purgeEveryMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      const purged = await purgeOlderThan(pool, options.retentionMs).catch(() => 0);
      if (purged > 0) logger.info({ purged }, 'purged old outbox rows');
    }
  };
  await Promise.all([stream(), purge()]);
}

/** Streams from the slot until the subscription fails or `signal` aborts. */
async function subscribeOnce(pool: Pool, broker: Broker, logger: Logger, options: WalRelayOptions): Promise<'ended' | 'slot busy'> {
  // A new service for every subscription: a reused one resumes from the last LSN it *received*, and
  // PostgreSQL would skip what was received but never confirmed. A new one starts at the slot's position.
  // timeoutSeconds 0: the library's periodic status update would also report the last LSN received.
  const service = new LogicalReplicationService({ connectionString: options.databaseUrl }, { acknowledge: { auto: false, timeoutSeconds: 0 } });
  let ended = false;
  let end!: (error?: Error) => void;
  const done = new Promise<Error | undefined>((resolve) => {
    end = (error) => {
      if (ended) return;
      ended = true;
      resolve(error);
    };
  });
  let acknowledged: string | undefined;
  const queue = new AckQueue({
    publish: (message) => {
      const confirmed = broker.publish(EXCHANGE, message);
      // Marked as handled at once: its failure is dealt with at its transaction's commit, which arrives in a
      // later read (or never, if the stream fails first), and Node ends a process on an unhandled rejection.
      confirmed.catch(() => {});
      return confirmed;
    },
    acknowledge: (lsn) => {
      acknowledged = lsn;
      // Fire and forget: a lost acknowledgement only means PostgreSQL resends a little more after a restart.
      service.acknowledge(lsn).catch(() => {});
    },
    fail: (error) => end(error),
  });

  service.on('data', (_lsn: string, message: Pgoutput.Message) => {
    // After a failure nothing more goes out: a later message must not overtake one that will be resent.
    if (ended) return;
    try {
      queue.onMessage(message);
    } catch (error) {
      end(error as Error);
    }
  });
  // PostgreSQL asks for a reply when it has heard nothing for a while, and drops a silent subscriber. The reply
  // repeats the last acknowledged position: an answer, never a promise about anything not confirmed.
  service.on('heartbeat', (_lsn: string, _time: number, shouldRespond: boolean) => {
    if (shouldRespond && acknowledged) service.acknowledge(acknowledged).catch(() => {});
  });
  service.on('start', () => {
    logger.info({ slot: options.slot }, 'streaming from the slot');
    options.onReady();
    void slotPosition(pool, options.slot).then((lsn) => (acknowledged ??= lsn), () => {});
  });
  // Without a listener, an 'error' event would crash the process.
  service.on('error', (error: Error) => end(error));
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [PUBLICATION] });
  service.subscribe(plugin, options.slot).then(
    () => end(new Error('the replication stream ended')),
    (error: Error) => end(error),
  );
  const stop = () => end();
  options.signal.addEventListener('abort', stop, { once: true });

  const error = await done;
  options.signal.removeEventListener('abort', stop);
  await service.stop().catch(() => {});
  // 55006 (object in use): another relay holds the slot.
  if ((error as { code?: string } | undefined)?.code === '55006') return 'slot busy';
  if (error && !options.signal.aborted) logger.warn({ err: error }, 'replication stream failed; subscribing again from the last acknowledged position');
  return 'ended';
}
