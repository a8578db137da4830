import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import { exchangeOptions, prefixed } from './names.ts';

/**
 * A service's retained event log (lab 07 on): its events exchange, and a RabbitMQ *stream* bound to it. A
 * classic queue forgets a message once it is acked; a stream keeps every message, numbered by offset, and
 * any number of readers may read it from any offset, as often as they like. That is what a view needs to
 * be rebuilt from history, with the broker the kit already runs.
 *
 * The publisher declares its log before its relay starts, so its events are always routed (a publish is
 * only done when a queue took it) and kept, whether or not a reader runs yet.
 */
export interface EventLog {
  /** Where the service's outbox sends its events: `customer-service.events`. */
  exchange: string;
  /** The stream queue that keeps them: `customer-service.events.log`. */
  stream: string;
}

export function eventLog(service: string): EventLog {
  return { exchange: `${service}.events`, stream: `${service}.events.log` };
}

// Declared with the same arguments by every side: RabbitMQ refuses a second declaration that differs.
// No max-age or max-length: the log is the history a rebuild starts from, so nothing is dropped.
const STREAM_ARGUMENTS = { 'x-queue-type': 'stream' };

/** Declares the log's exchange and stream and binds them (idempotent); on a short-lived connection of its own. */
export async function declareEventLog(url: string, prefix: string, service: string): Promise<EventLog> {
  const log = eventLog(service);
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    await declareOn(channel, prefix, log);
  } finally {
    await connection.close().catch(() => {});
  }
  return log;
}

async function declareOn(channel: Channel, prefix: string, log: EventLog): Promise<void> {
  await channel.assertExchange(prefixed(prefix, log.exchange), 'topic', exchangeOptions());
  await channel.assertQueue(prefixed(prefix, log.stream), { durable: true, arguments: STREAM_ARGUMENTS });
  await channel.bindQueue(prefixed(prefix, log.stream), prefixed(prefix, log.exchange), '#');
}

/** One entry of a log as a reader gets it. */
export interface LogEntry {
  /** Its position in the stream: 0 for the first message ever published, and so on. */
  offset: number;
  id: string | undefined;
  type: string | undefined;
  /** The body as text; the reader parses it (a poison entry is still an entry, with an offset to move past). */
  body: string;
}

export interface LogReaderOptions {
  url: string;
  prefix: string;
  /** The service whose log to read. */
  service: string;
  /** Where to start: `'first'` (the log's start) or the offset of the next entry to read. Asked again on every (re)connect. */
  from: () => Promise<'first' | number>;
  /**
   * Handles entries in offset order, a batch at a time. The reader acks them after it resolves; a batch that
   * throws is read again from `from()` after a pause, so `from` must reflect what was durably applied.
   */
  handle: (entries: LogEntry[]) => Promise<void>;
  logger: Logger;
  /** Entries RabbitMQ sends ahead (a stream reader must set a prefetch); the largest batch. Default 200. */
  prefetch?: number;
  name?: string;
}

export interface LogReader {
  stop(): Promise<void>;
}

/**
 * Reads a log from `from()` on, forever: entries are handed over in batches (what arrived since the last
 * batch began), one batch at a time. On any failure (connection lost, a batch that threw) it closes, pauses
 * and starts again from `from()`: the reader keeps no position of its own.
 */
export function readEventLog(options: LogReaderOptions): LogReader {
  const { prefetch = 200 } = options;
  const stopping = new AbortController();
  let connection: ChannelModel | undefined;
  const log = eventLog(options.service);

  const session = async () => {
    const conn = await connect(options.url, { clientProperties: { connection_name: options.name ?? `log reader ${log.stream}` } });
    connection = conn;
    const failed = new Promise<never>((_, reject) => {
      conn.on('error', () => {});
      conn.on('close', () => reject(new Error('the connection to RabbitMQ closed')));
    });
    failed.catch(() => {});
    const channel = await conn.createChannel();
    channel.on('error', () => {});
    await declareOn(channel, options.prefix, log);
    await channel.prefetch(prefetch);
    const pending: ConsumeMessage[] = [];
    let wake: (() => void) | undefined;
    let cancelled = false;
    const start = await options.from();
    const aborted = abortOf(stopping.signal);
    await channel.consume(
      prefixed(options.prefix, log.stream),
      (raw) => {
        // null: RabbitMQ cancelled the consumer (the stream was deleted, say): start over.
        if (!raw) cancelled = true;
        else pending.push(raw);
        wake?.();
      },
      { noAck: false, arguments: { 'x-stream-offset': start } },
    );
    for (;;) {
      if (stopping.signal.aborted) return;
      if (cancelled) throw new Error(`RabbitMQ cancelled the reader of ${log.stream}`);
      if (pending.length === 0) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed, aborted]);
        wake = undefined;
        continue;
      }
      const batch = pending.splice(0, pending.length);
      // A stream may deliver entries before `start` (it starts at a chunk boundary): skip those.
      const entries = batch.map(toEntry).filter((e) => typeof start !== 'number' || e.offset >= start);
      if (entries.length > 0) await options.handle(entries);
      channel.ack(batch.at(-1)!, true);
    }
  };

  const running = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await session();
      } catch (error) {
        if (!stopping.signal.aborted) options.logger.warn({ err: error, stream: log.stream }, 'reading the event log failed; starting again from the last applied entry');
      }
      await connection?.close().catch(() => {});
      connection = undefined;
      await sleep(300, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await connection?.close().catch(() => {});
      await running;
    },
  };
}

function toEntry(raw: ConsumeMessage): LogEntry {
  const offset = Number(raw.properties.headers?.['x-stream-offset']);
  const { messageId, type } = raw.properties as { messageId?: unknown; type?: unknown };
  return {
    offset,
    id: typeof messageId === 'string' ? messageId : undefined,
    type: typeof type === 'string' ? type : undefined,
    body: raw.content.toString('utf8'),
  };
}

function abortOf(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
