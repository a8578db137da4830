import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { startService } from '../harness/child-service.ts';
import { REPO_ROOT } from '../harness/mutants.ts';
import { createNamespace, type Namespace } from '../harness/namespace.ts';
import { resolveAndExportServices, serviceUrls } from '../harness/services.ts';
import { createPool, inTransaction, migrate } from '../platform/db.ts';
import { exchangeOptions } from '../platform/messaging/names.ts';
import { createLogger } from '../platform/log.ts';
import { connectBroker, type OutgoingMessage } from '../platform/messaging.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_WORKERS } from '../../solutions/02-outbox/relay/relay.ts';
import { cpuUsed, sampleCpu, type CpuSample } from './cpu.ts';
import { percentile, table } from './stats.ts';

const EXCHANGE = 'order-events';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 500);
/**
 * Each contender first handles this many messages off the clock: a relay runs for days, so its steady state
 * is what counts, not the first second of a process whose JavaScript is not compiled yet. The raw baseline
 * gets the same warm-up.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
/** Timed rounds per contender; the table shows the median rate, so one hiccup does not decide the ratio. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The relay's own settings, so the broker-only row publishes exactly as the relay does. */
const RELAY_BATCH_SIZE = Number(process.env.RELAY_BATCH_SIZE ?? DEFAULT_BATCH_SIZE);
const RELAY_WORKERS = Number(process.env.RELAY_WORKERS ?? DEFAULT_WORKERS);
/** A payload of about 200 bytes, like a small domain event. */
const payload = (i: number) => ({ orderId: randomUUID(), customerId: randomUUID(), total: i + 1, note: 'x'.repeat(90) });

interface Row {
  name: string;
  perSecond: number;
  /** CPU milliseconds per 1,000 messages, averaged over the timed rounds. */
  cpu: CpuSample;
  p50?: number;
  p99?: number;
}

/**
 * Warm-up off the clock, then ROUNDS timed rounds of MESSAGES each. A round calls `startClock` once its setup
 * is done (for a relay: once the backlog is committed) and resolves when the work is done; CPU is sampled at
 * the same two moments for RabbitMQ, PostgreSQL and the publishing process.
 */
async function measure(publisherPid: number, round: (count: number, startClock: () => void) => Promise<unknown>): Promise<Pick<Row, 'perSecond' | 'cpu'>> {
  await round(WARMUP, () => {});
  const rates: number[] = [];
  const totals: Required<CpuSample> = { broker: 0, database: 0, publisher: 0 };
  const readable: Record<keyof CpuSample, boolean> = { broker: true, database: true, publisher: true };
  for (let i = 0; i < ROUNDS; i++) {
    let started = 0;
    let before: CpuSample = {};
    await round(MESSAGES, () => {
      before = sampleCpu(publisherPid);
      started = performance.now();
    });
    rates.push(MESSAGES / ((performance.now() - started) / 1000));
    const used = cpuUsed(before, sampleCpu(publisherPid));
    for (const group of ['broker', 'database', 'publisher'] as const) {
      if (used[group] === undefined) readable[group] = false;
      else totals[group] += used[group];
    }
  }
  const msPerThousand = (group: keyof CpuSample) => (readable[group] ? (totals[group] / ROUNDS / MESSAGES) * 1_000_000 : undefined);
  return { perSecond: percentile(rates, 50), cpu: { broker: msPerThousand('broker'), database: msPerThousand('database'), publisher: msPerThousand('publisher') } };
}

/**
 * `npm run bench -- outbox`: one run, one table. The raw amqplib rate is the baseline; both relays are
 * measured against it in the same run on the same machine, so the ratio means something even when the
 * machine is busy. There are three raw rows: a minimal message; byte for byte the Broker's message (its
 * properties, its routing key with the aggregate id, `mandatory`); and that message again in the relay's
 * batches. The first two tell what the richer message costs, the third and the Broker-alone row what the
 * Broker's code costs. Throughput is measured on the publishing side: raw, from the first
 * publish to the last confirm; a relay, from the commit of 10,000 rows to the moment RabbitMQ holds all of
 * them (the bench's queue, bound before anything is published, counts them). Nothing consumes during that
 * phase (messages wait in the queue), so the contenders compete for the same CPU. Each
 * contender is warmed up, then timed over ROUNDS rounds; the rate is the median. Latency: single-row
 * transactions at a steady pace, from COMMIT returning to the consumer receiving the message.
 *
 * The CPU columns say where the time went, per 1,000 messages: RabbitMQ, PostgreSQL, and the publishing
 * process. The Broker-alone row publishes the relay's messages, in the relay's batches, with no database: the
 * ceiling of any relay built on the kit's Broker.
 */
export async function benchOutbox(): Promise<number> {
  const services = await resolveAndExportServices();
  const rows: Row[] = [];
  try {
    rows.push(await rawPublish('raw amqplib, minimal message', minimalMessage));
    rows.push(await rawPublish('raw amqplib, the Broker\'s message', brokerIdenticalMessage));
    rows.push(await rawPublishInBatches('raw amqplib, the Broker\'s message, relay batches', brokerIdenticalMessage));
    rows.push(await brokerOnly());
    // BENCH_BROKER_ONLY=1: the rows above, for a quick look at the Broker's own cost.
    if (process.env.BENCH_BROKER_ONLY === '1') return finish(rows);
    const polling = path.join(REPO_ROOT, 'solutions/02-outbox/relay/index.ts');
    rows.push(await relayRun('polling relay (lab 02)', polling));
    const wal = path.join(REPO_ROOT, 'solutions/02b-log-tailing/wal-relay/index.ts');
    const walLevel = await currentWalLevel();
    if (!existsSync(wal)) console.log('(solutions/02b-log-tailing is not there yet: WAL relay skipped)');
    else if (walLevel !== 'logical') console.log(`(PostgreSQL runs with wal_level=${walLevel}; the WAL relay needs logical: WAL relay skipped)`);
    else rows.push(await relayRun('WAL relay (lab 02b)', wal));
  } finally {
    await services.stop();
  }
  return finish(rows);
}

/** Lab 02b's relay reads PostgreSQL's log through logical decoding, which `wal_level=logical` turns on. */
async function currentWalLevel(): Promise<string> {
  const pool = createPool(serviceUrls().databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ wal_level: string }>('SHOW wal_level');
    return rows[0]!.wal_level;
  } finally {
    await pool.end();
  }
}

function finish(rows: Row[]): number {
  const raw = rows[0]!.perSecond;
  // The third raw row sends the Broker's very messages, the way the relay does: the ratio to it is what the
  // Broker's code costs.
  const rawSameMessage = rows[2]!.perSecond;
  const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '-' : n.toFixed(digits));
  console.log(
    `\noutbox benchmark: ${MESSAGES.toLocaleString('en')} messages of ~200 bytes, median of ${ROUNDS} rounds after ${WARMUP.toLocaleString('en')} to warm up;` +
      ` relay batches of ${RELAY_BATCH_SIZE}, ${RELAY_WORKERS} in flight; latency over ${LATENCY_SAMPLES} single-row commits\n`,
  );
  console.log(
    table([
      ['', 'published/s', 'vs raw', 'vs raw, same message and batches', 'p50 ms', 'p99 ms', 'CPU ms per 1,000: RabbitMQ', 'PostgreSQL', 'publisher'],
      ...rows.map((r) => [
        r.name,
        Math.round(r.perSecond).toLocaleString('en'),
        `${Math.round((100 * r.perSecond) / raw)} %`,
        `${Math.round((100 * r.perSecond) / rawSameMessage)} %`,
        fmt(r.p50),
        fmt(r.p99),
        fmt(r.cpu.broker, 0),
        fmt(r.cpu.database, 0),
        fmt(r.cpu.publisher, 0),
      ]),
    ]),
  );
  console.log('\ngoals: polling relay at 75 % or more of the raw rate; WAL relay commit-to-consume p50 ≤ 2 ms, p99 ≤ 10 ms');
  if (rows[0]!.cpu.broker === undefined) console.log('(CPU columns need Linux with the services as local processes; "-" where they could not be read)');
  return 0;
}

/** What one raw publish sends: everything is built before the clock starts, so only publishing is timed. */
interface RawMessage {
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

/** The baseline's message: no more properties than a consumer needs to deduplicate, one fixed routing key. */
const minimalMessage = (i: number): RawMessage => ({
  routingKey: 'OrderCreated',
  body: Buffer.from(JSON.stringify(payload(i))),
  options: { persistent: true, messageId: String(i), contentType: 'application/json' },
});

/**
 * Byte for byte what the kit's Broker sends for one relayed row (see `encode` in messaging/envelope.ts): the
 * same properties, a routing key with the aggregate id, `mandatory`, the same body. Against this row, the
 * Broker-alone row shows what the Broker's code costs; against the minimal row, this one shows what the
 * richer message costs RabbitMQ.
 */
const brokerIdenticalMessage = (i: number): RawMessage => {
  const id = randomUUID();
  return {
    routingKey: `OrderCreated.${randomUUID()}`,
    body: Buffer.from(JSON.stringify(brokerPayload(i))),
    options: { persistent: true, messageId: id, type: 'OrderCreated', timestamp: Math.floor(Date.now() / 1000), contentType: 'application/json', appId: 'relay', mandatory: true },
  };
};

/** The payload of the Broker and relay rows (the relays' rows are built by SQL with the same shape). */
const brokerPayload = (i: number) => ({ n: i, note: 'x'.repeat(150) });

/** All of the round's messages in flight at once, then one wait for every confirm: raw amqplib at its fastest. */
async function rawPublish(name: string, message: (i: number) => RawMessage): Promise<Row> {
  return rawRow(name, message, async (channel, exchange, messages) => {
    for (const { routingKey, body, options } of messages) {
      const ok = channel.publish(exchange, routingKey, body, options);
      // Respect backpressure like a real publisher: wait for the socket to drain when amqplib says so.
      if (!ok) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
  });
}

/**
 * The relay's way of publishing, in raw amqplib: batches of RELAY_BATCH_SIZE, RELAY_WORKERS of them in flight,
 * each waiting for its own confirms (counted in callbacks, as the Broker does). With the Broker's messages,
 * the only difference left to the Broker-alone row is the Broker's own code.
 */
async function rawPublishInBatches(name: string, message: (i: number) => RawMessage): Promise<Row> {
  return rawRow(name, message, async (channel, exchange, messages) => {
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const batch = messages.slice(next, next + RELAY_BATCH_SIZE);
        next += batch.length;
        await new Promise<void>((resolve, reject) => {
          let pending = batch.length;
          for (const { routingKey, body, options } of batch) {
            channel.publish(exchange, routingKey, body, options, (error: unknown) => {
              if (error) reject(error as Error);
              else if (--pending === 0) resolve();
            });
          }
        });
      }
    };
    await Promise.all(Array.from({ length: RELAY_WORKERS }, worker));
  });
}

async function rawRow(name: string, message: (i: number) => RawMessage, publish: (channel: ConfirmChannel, exchange: string, messages: RawMessage[]) => Promise<void>): Promise<Row> {
  const ns = await createNamespace('bench');
  const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    // The same exchange and bound queue as the relays publish into.
    await consume(connection, ns);
    const exchange = `${ns.id}.${EXCHANGE}`;
    const publishAll = async (count: number, startClock: () => void) => {
      const messages = Array.from({ length: count }, (_, i) => message(i));
      startClock();
      await publish(channel, exchange, messages);
    };
    const measured = await measure(process.pid, publishAll);
    return { name, ...measured };
  } finally {
    await connection.close();
    await ns.drop();
  }
}

/** The relay's publishing half alone: the kit's Broker, the relay's message shape and batches, no database. */
async function brokerOnly(): Promise<Row> {
  const ns = await createNamespace('bench');
  const broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'relay', logger: createLogger('bench', 'warn') });
  const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
  try {
    await broker.declareTopology({ exchanges: [EXCHANGE], queues: [] });
    await consume(connection, ns); // a bound queue, as for the relays: unrouted messages cost RabbitMQ nothing
    const publishAll = async (count: number, startClock: () => void) => {
      const messages: OutgoingMessage[] = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'OrderCreated', key: randomUUID(), payload: brokerPayload(i) }));
      startClock();
      let next = 0;
      const worker = async () => {
        while (next < messages.length) {
          const batch = messages.slice(next, next + RELAY_BATCH_SIZE);
          next += batch.length;
          await broker.publishMany(EXCHANGE, batch);
        }
      };
      await Promise.all(Array.from({ length: RELAY_WORKERS }, worker));
    };
    const measured = await measure(process.pid, publishAll);
    return { name: 'kit Broker alone, no database', ...measured };
  } finally {
    await broker.deleteTopology().catch(() => {});
    await broker.close();
    await connection.close();
    await ns.drop();
  }
}

async function relayRun(name: string, entry: string): Promise<Row> {
  const ns = await createNamespace('bench');
  const pool = createPool(await ns.createDatabase('orders'), 4);
  const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
  await migrate(pool, path.join(REPO_ROOT, 'solutions/02-outbox/order-service/db/migrations'));
  const databaseUrl = (pool.options as { connectionString: string }).connectionString;
  const relay = await startService({ name, entry, env: { DATABASE_URL: databaseUrl, AMQP_URL: ns.amqpUrl, KIT_PREFIX: ns.id }, readyMessage: 'ready' });
  try {
    const consumer = await consume(connection, ns);
    // Throughput: every row committed in one transaction, timed from its COMMIT until RabbitMQ holds them
    // all (the bench's queue, bound before anything was published, has them). Writing the rows is
    // order-service's work, not the relay's, so it is not on the clock. Watching the queue rather than the
    // table keeps the bench's own queries from loading PostgreSQL, and treats both relays alike.
    let published = 0;
    const drainBacklog = async (count: number, startClock: () => void) => {
      await inTransaction(pool, async (tx) => {
        await tx.query(
          `INSERT INTO outbox (message_id, aggregate_id, type, payload)
           SELECT gen_random_uuid(), gen_random_uuid(), 'OrderCreated', jsonb_build_object('n', i, 'note', repeat('x', 150)) FROM generate_series(1, $1) i`,
          [count],
        );
        // A table in use has statistics (autovacuum keeps them); this one was created a second ago. Without
        // them the planner guesses that few rows are unpublished, and each claim sorts the whole backlog (see
        // "Statistics" on the lab 02 page). ANALYZE inside the transaction sees its own rows, so the relay
        // sees the rows and their statistics together.
        await tx.query('ANALYZE outbox');
      });
      startClock();
      published += count;
      while ((await consumer.depth()) < published) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const measured = await measure(relay.pid, drainBacklog);
    // Now let the backlog be consumed, so the latency phase starts from an empty queue.
    const backlog = consumer.expect(published);
    await consumer.start();
    await backlog;

    // Latency: one row per transaction at a steady pace; the clock starts when COMMIT returns.
    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    consumer.onMessage = (id, at) => {
      const start = committedAt.get(id);
      if (start !== undefined) latencies.push(at - start);
    };
    const latencyDone = consumer.expect(LATENCY_SAMPLES);
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const id = randomUUID();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [id, randomUUID(), 'OrderCreated', payload(i)]);
        await client.query('COMMIT');
        committedAt.set(id, performance.now());
      } finally {
        client.release();
      }
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await latencyDone;
    return { name, ...measured, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await relay.kill();
    await connection.close();
    await pool.end();
    await ns.drop();
  }
}

interface BenchConsumer {
  expect(count: number): Promise<void>;
  /** Starts consuming; until then messages wait in the queue. */
  start(): Promise<unknown>;
  /** Messages waiting in the queue: before `start`, every message RabbitMQ has accepted so far. */
  depth(): Promise<number>;
  onMessage?: (id: string, at: number) => void;
}

async function consume(connection: ChannelModel, ns: Namespace): Promise<BenchConsumer> {
  const channel: Channel = await connection.createChannel();
  const exchange = `${ns.id}.${EXCHANGE}`;
  await channel.assertExchange(exchange, 'topic', exchangeOptions());
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, exchange, '#');
  const seen = new Set<string>();
  let target = 0;
  let resolveTarget: (() => void) | undefined;
  const state: BenchConsumer = {
    expect(count) {
      target = seen.size + count;
      return seen.size >= target ? Promise.resolve() : new Promise((resolve) => (resolveTarget = resolve));
    },
    start: () => start(),
    depth: async () => (await channel.checkQueue(queue)).messageCount,
  };
  const start = () => channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const at = performance.now();
      const id = message.properties.messageId as string;
      // Duplicates are possible with at-least-once relays; count each message once.
      if (!seen.has(id)) {
        seen.add(id);
        state.onMessage?.(id, at);
      }
      if (seen.size >= target) resolveTarget?.();
    },
    { noAck: true },
  );
  return state;
}
