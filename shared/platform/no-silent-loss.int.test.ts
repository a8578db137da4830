import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { AMQP_METHODS, startAmqpFrameProxy, type AmqpFrameProxy, type AmqpMethod } from '#shared/harness/amqp-frame-proxy.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { startFaultProxy, type FaultProxy } from '#shared/harness/fault-proxy.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { createPool, inTransaction, migrate, type Pool } from '#shared/platform/db.ts';
import { ConfirmTimeoutError, PublishManyError, connectBroker, type Broker, type BrokerOptions } from '#shared/platform/messaging.ts';
import { OUTBOX_MIGRATIONS } from '#shared/platform/outbox/outbox.ts';
import { relayBatch, startRelay } from '#shared/platform/outbox/relay.ts';

// The platform's outbox relay against real PostgreSQL and RabbitMQ, where a message used to be lost without
// a trace: published while no queue was bound, stuck on a confirm that never came, or a relay stalled at
// start-up. One database for the file; fresh exchange, queue and rows in every test.
let ns: Namespace;
let pool: Pool;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  ns = await createNamespace('loss');
  pool = createPool(await ns.createDatabase('orders'), 4);
  await migrate(pool, OUTBOX_MIGRATIONS);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await pool?.end();
  await ns?.drop();
});

/** A logger whose lines the test can read: the relay's warnings are part of what is asserted. */
function capturedLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; [field: string]: unknown }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function newBroker(options: Partial<BrokerOptions> & { logger: Logger }): Promise<Broker> {
  const broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'order-service', reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, ...options });
  cleanups.push(async () => {
    await broker.deleteTopology().catch(() => {});
    await broker.close();
  });
  return broker;
}

function amqpEndpoint() {
  const url = new URL(ns.amqpUrl);
  return { host: url.hostname, port: Number(url.port || 5672) };
}

/** The Broker's URL, but through a proxy listening on `port`. */
function viaPort(port: number): string {
  const url = new URL(ns.amqpUrl);
  url.port = String(port);
  return url.toString();
}

function freshNames() {
  const suffix = randomUUID().slice(0, 8);
  return { exchange: `orders_${suffix}`, queue: `customers_${suffix}` };
}

/** Order rows in the outbox, one aggregate each, as order-service's transactions would leave them. */
async function appendOrders(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await inTransaction(pool, async (tx) => {
    for (const id of ids) {
      await tx.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [id, randomUUID(), 'OrderCreated', { total: 10 }]);
    }
  });
  return ids;
}

async function unpublished(ids: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE message_id = ANY($1::uuid[]) AND published_at IS NULL', [ids]);
  return rows[0]!.n;
}

function runRelay(broker: Broker, logger: Logger, exchange: string) {
  const stop = startRelay(pool, broker, logger, { exchange, idleMs: 10 });
  let stopped = false;
  const stopOnce = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanups.push(stopOnce);
  return stopOnce;
}

/**
 * Every id received, read once a sentinel published after the relay stopped has arrived: one consumer handles
 * a queue in order, so nothing published before the sentinel can still be on its way.
 */
async function everythingReceived(broker: Broker, exchange: string, received: string[]): Promise<string[]> {
  const sentinel = { id: randomUUID(), type: 'OrderCreated', key: 'sentinel', payload: {} };
  await broker.publish(exchange, sentinel);
  await eventually(() => received.includes(sentinel.id), { description: 'the sentinel arrived', timeoutMs: 10_000 });
  return received.filter((id) => id !== sentinel.id);
}

describe('no silent loss: a message nobody can receive is not published', () => {
  test('when the relay runs while no queue is bound, then every row stays unpublished and the log names the exchange and routing key; once the queue is bound, every row arrives exactly once', async () => {
    const { logger, lines } = capturedLogger();
    const broker = await newBroker({ logger });
    const names = freshNames();
    // order-service's side: its exchange exists, customer-service has never started (no queue, no binding).
    await broker.declareTopology({ exchanges: [names.exchange], queues: [] });
    const ids = await appendOrders(20);
    const stopRelay = runRelay(broker, logger, names.exchange);

    // The relay tries, RabbitMQ returns every message, the batch's transaction rolls back; and again.
    await broker.waitFor('returned', 40, 10_000);
    expect(await unpublished(ids)).toBe(20);
    expect(broker.count('published')).toBe(0);
    const warning = lines.find((line) => line.level === 40 && /no queue is bound/.test(line.msg));
    expect(warning?.msg).toContain(`exchange "${ns.id}.${names.exchange}"`);
    expect(warning?.msg).toMatch(/routing key "OrderCreated\.[0-9a-f-]+"/);
    const relayWarning = lines.find((line) => line.msg === 'relay batch failed; retrying');
    expect(JSON.stringify(relayWarning?.err)).toContain(`no queue is bound to exchange \\"${ns.id}.${names.exchange}\\"`);

    // customer-service starts: its queue is declared and bound, and it consumes.
    const received: string[] = [];
    await broker.declareTopology({ exchanges: [names.exchange], queues: [{ name: names.queue, bindings: [{ exchange: names.exchange, pattern: 'OrderCreated.#' }] }] });
    await broker.consume(names.queue, (message) => void received.push(message.id));
    await eventually(async () => (await unpublished(ids)) === 0, { description: 'every outbox row was published', timeoutMs: 10_000 });
    await stopRelay();

    const all = await everythingReceived(broker, names.exchange, received);
    expect([...all].sort()).toEqual([...ids].sort());
  });
});

describe('no silent loss: a confirm that does not come', () => {
  test('when RabbitMQ does not confirm within the deadline, then the batch fails, its transaction rolls back, and its rows are unlocked and unpublished', async () => {
    const { logger } = capturedLogger();
    const proxy: FaultProxy = await startFaultProxy({ target: amqpEndpoint(), name: 'rabbitmq proxy' });
    const broker = await newBroker({ logger, url: viaPort(proxy.port), confirmTimeoutMs: 300 });
    // Closed after the broker (cleanups run in reverse): closing the proxy first would set it reconnecting.
    cleanups.unshift(() => proxy.close());
    const names = freshNames();
    await broker.declareTopology({ exchanges: [names.exchange], queues: [{ name: names.queue, bindings: [{ exchange: names.exchange, pattern: 'OrderCreated.#' }] }] });
    const ids = await appendOrders(5);
    // Open the publishing channel while the link is fast: this test is about the confirms.
    await broker.publish(names.exchange, { id: randomUUID(), type: 'OrderCreated', key: 'warm-up', payload: {} });

    // Every byte now takes 2 s each way: the publishes reach RabbitMQ, but their confirms come far too late.
    proxy.setLatency(2_000);
    const started = Date.now();
    const failure = await relayBatch(pool, broker, { exchange: names.exchange, batchSize: 10 }).catch((error: unknown) => error);
    // The relay says how many rows it left unpublished; the Broker's error, its cause, says which and why.
    expect(failure).toBeInstanceOf(Error);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(PublishManyError);
    expect((cause as PublishManyError).firstError).toBeInstanceOf(ConfirmTimeoutError);
    expect([...(cause as PublishManyError).failedIds].sort()).toEqual([...ids].sort());
    expect(Date.now() - started).toBeLessThan(1_500);

    // The rows are free at once: another transaction can lock them without waiting, and none is published.
    await inTransaction(pool, async (tx) => {
      const { rowCount } = await tx.query('SELECT id FROM outbox WHERE message_id = ANY($1::uuid[]) FOR UPDATE NOWAIT', [ids]);
      expect(rowCount).toBe(5);
    });
    expect(await unpublished(ids)).toBe(5);

    // Once confirms come in time again, the relay publishes them.
    proxy.setLatency(0);
    await eventually(() => relayBatch(pool, broker, { exchange: names.exchange, batchSize: 10 }), { description: 'a relay batch succeeded', timeoutMs: 15_000, intervalMs: 100 });
    expect(await unpublished(ids)).toBe(0);
  });
});

describe('no silent loss: no stall at start-up', () => {
  const cutAt: Array<[string, AmqpMethod]> = [
    ['while RabbitMQ answers the topology channel close', AMQP_METHODS.channelClose],
    ['while an exchange is being declared', AMQP_METHODS.exchangeDeclare],
  ];
  test.each(cutAt)('when the connection is cut %s, then declareTopology still finishes after the reconnect, and the relay is ready and relays', async (_when, method) => {
    const { logger, lines } = capturedLogger();
    const proxy: AmqpFrameProxy = await startAmqpFrameProxy(amqpEndpoint());
    const broker = await newBroker({ logger, url: viaPort(proxy.port) });
    cleanups.unshift(() => proxy.close());
    const names = freshNames();

    const cut = proxy.cutWhenClientSends(method);
    const declared = broker.declareTopology({ exchanges: [names.exchange], queues: [{ name: names.queue, bindings: [{ exchange: names.exchange, pattern: 'OrderCreated.#' }] }] });
    await cut;
    // Without a bound on the close, this never settles: amqplib waits for an answer the dead connection cannot bring.
    await Promise.race([declared, rejectAfter(10_000, 'declareTopology did not finish after the connection was cut')]);
    await broker.waitFor('reconnected', 1, 10_000);
    expect(lines.some((line) => line.msg === 'reconnected to RabbitMQ')).toBe(true);

    const received: string[] = [];
    await broker.consume(names.queue, (message) => void received.push(message.id));
    const ids = await appendOrders(10);
    runRelay(broker, logger, names.exchange);
    await eventually(() => ids.every((id) => received.includes(id)), { description: 'every order was relayed and received', timeoutMs: 10_000 });
  });
});

function rejectAfter(ms: number, why: string): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(why)), ms);
    cleanups.push(async () => clearTimeout(timer));
  });
}
