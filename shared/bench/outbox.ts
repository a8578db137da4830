import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { startService } from '../harness/child-service.ts';
import { REPO_ROOT } from '../harness/mutants.ts';
import { createNamespace, type Namespace } from '../harness/namespace.ts';
import { resolveAndExportServices } from '../harness/services.ts';
import { createPool, migrate, type Pool } from '../platform/db.ts';
import { exchangeOptions } from '../platform/messaging/names.ts';
import { percentile, table } from './stats.ts';

const EXCHANGE = 'order-events';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 500);
/** A payload of about 200 bytes, like a small domain event. */
const payload = (i: number) => ({ orderId: randomUUID(), customerId: randomUUID(), total: i + 1, note: 'x'.repeat(90) });

interface Row {
  name: string;
  perSecond: number;
  p50?: number;
  p99?: number;
}

/**
 * `npm run bench -- outbox`: one run, one table. The raw amqplib rate is the baseline; both relays are
 * measured against it in the same run on the same machine, so the ratio means something even when the
 * machine is busy. Throughput is measured on the publishing side for all three, as the issue asks: raw, from
 * the first publish to the last confirm; a relay, from the commit of 10,000 rows to the moment the relay has
 * them all confirmed (polling: no row left unpublished; WAL: the slot acknowledged past the commit). As in
 * the raw run, nothing consumes during that phase (messages wait in a bound queue), so the three compete for
 * the same CPU. Latency: single-row transactions at a steady pace, from COMMIT returning to the consumer
 * receiving the message.
 */
export async function benchOutbox(): Promise<number> {
  const services = await resolveAndExportServices();
  const rows: Row[] = [];
  try {
    rows.push(await rawPublish());
    rows.push(await relayRun('polling relay (lab 02)', path.join(REPO_ROOT, 'solutions/02-outbox/relay/index.ts'), drainedByPolling));
    const wal = path.join(REPO_ROOT, 'solutions/02b-log-tailing/wal-relay/index.ts');
    if (existsSync(wal)) rows.push(await relayRun('WAL relay (lab 02b)', wal, drainedBySlot));
    else console.log('(solutions/02b-log-tailing is not there yet: WAL relay skipped)');
  } finally {
    await services.stop();
  }
  const raw = rows[0]!.perSecond;
  const fmt = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
  console.log(`\noutbox benchmark: ${MESSAGES.toLocaleString('en')} messages of ~200 bytes; latency over ${LATENCY_SAMPLES} single-row commits\n`);
  console.log(
    table([
      ['', 'published/s', 'vs raw', 'p50 ms', 'p99 ms'],
      ...rows.map((r) => [
        r.name,
        Math.round(r.perSecond).toLocaleString('en'),
        `${Math.round((100 * r.perSecond) / raw)} %`,
        fmt(r.p50),
        fmt(r.p99),
      ]),
    ]),
  );
  console.log('\ngoals: polling relay at 75 % or more of the raw rate; WAL relay commit-to-consume p50 ≤ 2 ms, p99 ≤ 10 ms');
  return 0;
}

async function rawPublish(): Promise<Row> {
  const ns = await createNamespace('bench');
  const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    const exchange = `${ns.id}.raw`;
    await channel.assertExchange(exchange, 'topic', exchangeOptions(ns.id));
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    const bodies = Array.from({ length: MESSAGES }, (_, i) => Buffer.from(JSON.stringify(payload(i))));
    const started = performance.now();
    for (const [i, body] of bodies.entries()) {
      const ok = channel.publish(exchange, 'OrderCreated', body, { persistent: true, messageId: String(i), contentType: 'application/json' });
      // Respect backpressure like a real publisher: wait for the socket to drain when amqplib says so.
      if (!ok) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
    const seconds = (performance.now() - started) / 1000;
    await channel.deleteExchange(exchange);
    return { name: 'raw amqplib, confirmed publish', perSecond: MESSAGES / seconds };
  } finally {
    await connection.close();
    await ns.drop();
  }
}

async function relayRun(name: string, entry: string, drained: (pool: Pool, since: string) => Promise<boolean>): Promise<Row> {
  const ns = await createNamespace('bench');
  const pool = createPool(await ns.createDatabase('orders'), 4);
  const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
  await migrate(pool, path.join(REPO_ROOT, 'solutions/02-outbox/order-service/db/migrations'));
  const databaseUrl = (pool.options as { connectionString: string }).connectionString;
  const relay = await startService({ name, entry, env: { DATABASE_URL: databaseUrl, AMQP_URL: ns.amqpUrl, KIT_PREFIX: ns.id }, readyMessage: 'ready' });
  try {
    const consumer = await consume(connection, ns);
    // Throughput: every row committed in one transaction, then timed until the last one is consumed.
    const since = (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn')).rows[0]!.lsn;
    const started = performance.now();
    await pool.query(
      `INSERT INTO outbox (message_id, aggregate_id, type, payload)
       SELECT gen_random_uuid(), gen_random_uuid(), 'OrderCreated', jsonb_build_object('n', i, 'note', repeat('x', 150)) FROM generate_series(1, $1) i`,
      [MESSAGES],
    );
    while (!(await drained(pool, since))) await new Promise((resolve) => setTimeout(resolve, 10));
    const perSecond = MESSAGES / ((performance.now() - started) / 1000);
    // Now let the backlog be consumed, so the latency phase starts from an empty queue.
    const backlog = consumer.expect(MESSAGES);
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
    return { name, perSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await relay.kill();
    await connection.close();
    await pool.end();
    await ns.drop();
  }
}

/** The polling relay is done when no row is left unpublished. */
async function drainedByPolling(pool: Pool): Promise<boolean> {
  // EXISTS on the partial index: a count(*) every few milliseconds would itself slow the database down.
  const { rows } = await pool.query<{ left: boolean }>('SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL) AS left');
  return rows[0]!.left === false;
}

/** The WAL relay is done when its slot acknowledged a position past the one taken before the big commit. */
async function drainedBySlot(pool: Pool, since: string): Promise<boolean> {
  const { rows } = await pool.query<{ done: boolean }>(
    'SELECT bool_or(confirmed_flush_lsn > $1::pg_lsn) AS done FROM pg_replication_slots WHERE database = current_database()',
    [since],
  );
  return rows[0]?.done === true;
}

interface BenchConsumer {
  expect(count: number): Promise<void>;
  /** Starts consuming; until then messages wait in the queue. */
  start(): Promise<unknown>;
  onMessage?: (id: string, at: number) => void;
}

async function consume(connection: ChannelModel, ns: Namespace): Promise<BenchConsumer> {
  const channel: Channel = await connection.createChannel();
  const exchange = `${ns.id}.${EXCHANGE}`;
  await channel.assertExchange(exchange, 'topic', exchangeOptions(ns.id));
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
