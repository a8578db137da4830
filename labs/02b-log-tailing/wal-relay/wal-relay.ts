import { setTimeout as sleep } from 'node:timers/promises';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Pool } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import type { Broker, OutgoingMessage } from '#shared/platform/messaging.ts';
import { LabTodo } from '#shared/platform/todo.ts';
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

/**
 * TODO(lab 02b): one subscription's messages arrive here in commit order. Publish each insert into the outbox
 * (toMessage, this.io.publish) without awaiting it, so the next message is read while RabbitMQ confirms this
 * one; but while an earlier message of the same aggregate (row.aggregate_id) is unconfirmed, publish it only
 * once that one is confirmed, and never if that one fails. At each commit, queue (message.commitLsn, "every
 * message of this transaction confirmed"), and acknowledge (this.io.acknowledge) from the head of that queue
 * only: never past a transaction RabbitMQ has not confirmed. When a publish fails, call this.io.fail. See
 * http://localhost:3000/labs/02b-log-tailing and `npm run hint -- 02b`.
 */
export class AckQueue {
  constructor(private readonly io: StreamIo) {}

  onMessage(message: Pgoutput.Message): void {
    // TODO(lab 02b): handle 'insert' (into outbox) and 'commit' messages; the others need nothing.
    throw new LabTodo('02b', `AckQueue.onMessage (a ${message.tag} message) in labs/02b-log-tailing/wal-relay/wal-relay.ts`);
  }
}

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
