import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { eventually } from '../../harness/eventually.ts';
import { inTransaction, type Pool } from '../db.ts';
import { prefixed, type Broker } from '../messaging.ts';
import { appendToOutbox, type OutboxMessage } from './outbox.ts';
import { relayBatch, startRelay, type Publisher } from './relay.ts';
import { useOutboxFixture } from './test-fixture.ts';

const f = useOutboxFixture('relay');

const event = (aggregateId: string, seq = 0, type = 'ThingHappened') => ({ id: randomUUID(), type, aggregateId, payload: { aggregateId, seq } });
const append = (pool: Pool, ...messages: OutboxMessage[]) => inTransaction(pool, (tx) => appendToOutbox(tx, ...messages));
async function unpublished(pool: Pool, table = 'outbox'): Promise<string[]> {
  const { rows } = await pool.query<{ message_id: string }>(`SELECT message_id FROM ${table} WHERE published_at IS NULL ORDER BY id`);
  return rows.map((row) => row.message_id);
}

/** A publisher that stops inside publishMany until released: a relay caught between its claim and its confirms. */
function heldAtPublish(broker: Broker) {
  let enter = () => {};
  let release = () => {};
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const publisher: Publisher = {
    async publishMany(exchange, messages) {
      enter();
      await released;
      return broker.publishMany(exchange, messages);
    },
  };
  return { publisher, entered, release };
}

describe('relay: per-aggregate order', () => {
  test("when a second relay claims while the first still publishes an aggregate's oldest row, then it skips that aggregate", async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    const [a, b] = [randomUUID(), randomUUID()];
    const [a0, a1, b0] = [event(a, 0), event(a, 1), event(b, 0)];
    await append(pool, a0, a1, b0);

    const first = heldAtPublish(broker);
    const firstBatch = relayBatch(pool, first.publisher, { exchange, batchSize: 1 });
    await first.entered; // the first relay holds a0's row lock, and its confirm has not come
    expect(await relayBatch(pool, broker, { exchange })).toBe(1); // b0 only: a1 must wait for a0
    first.release();
    expect(await firstBatch).toBe(1);
    expect(await relayBatch(pool, broker, { exchange })).toBe(1);

    await eventually(() => received.length === 3);
    expect(received.map((m) => m.id)).toEqual([b0.id, a0.id, a1.id]);
    expect(received[1]).toMatchObject({ type: 'ThingHappened', key: a, payload: { aggregateId: a, seq: 0 } });
  });

  test('when two relays run side by side on a backlog, then every row arrives once and each aggregate in order', async () => {
    const [pool, one, two] = await Promise.all([f.database(), f.broker(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(one, exchange);
    const aggregates = Array.from({ length: 6 }, () => randomUUID());
    const rows = Array.from({ length: 30 }, (_, seq) => aggregates.map((id) => event(id, seq))).flat();
    await append(pool, ...rows);

    for (const broker of [one, two]) f.defer(startRelay(pool, broker, f.logger, { exchange, batchSize: 7, workers: 2 }));
    await eventually(() => received.length >= rows.length, { timeoutMs: 20_000, description: `all ${rows.length} rows relayed` });

    expect(new Set(received.map((m) => m.id)).size).toBe(rows.length);
    for (const id of aggregates) {
      const seqs = received.filter((m) => m.key === id).map((m) => (m.payload as { seq: number }).seq);
      expect(seqs, `aggregate ${id}`).toEqual(Array.from({ length: 30 }, (_, seq) => seq));
    }
    // A message can arrive before its relay's transaction commits the mark: wait for the marks too.
    await eventually(async () => (await unpublished(pool)).length === 0, { description: 'every row marked published' });
  });
});

describe('relay: an empty outbox', () => {
  test('when the relay found its outbox empty and sleeps for long, then a row appended in its process wakes it at once', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    // A row written without appendToOutbox (as another process would) is found by polling: the relay's first batch.
    const first = event(randomUUID());
    await pool.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [first.id, first.aggregateId, first.type, first.payload]);
    // Once the outbox is empty, it sleeps 30 s between polls: only appendToOutbox's wake publishes in time.
    f.defer(startRelay(pool, broker, f.logger, { exchange, workers: 1, idleMs: 30_000, maxIdleMs: 30_000 }));
    await eventually(async () => received.length === 1 && (await unpublished(pool)).length === 0, { description: 'the first row relayed and marked' });
    const woken = event(randomUUID());
    await append(pool, woken);
    await eventually(() => received.length === 2, { timeoutMs: 10_000, description: 'the appended row published long before the relay’s next poll' });
    expect(received.map((m) => m.id)).toEqual([first.id, woken.id]);
  });
});

describe('relay: marking published', () => {
  test('when RabbitMQ refuses some messages of a batch, then only the confirmed rows are marked and the refused one goes out later', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const ok = f.name('ok');
    await broker.declareTopology({ exchanges: [exchange], queues: [{ name: ok, bindings: [{ exchange, pattern: 'Good.#' }] }] });
    // A queue that is always full and says so: RabbitMQ answers a message routed to it with a negative confirm.
    const channel = await f.raw.createChannel();
    const full = prefixed(f.ns.id, f.name('full'));
    await channel.assertQueue(full, { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    await channel.bindQueue(full, prefixed(f.ns.id, exchange), 'Refused.#');
    f.defer(() => channel.deleteQueue(full).then(() => channel.close()));
    const [good1, refused, good2] = [event(randomUUID(), 0, 'Good'), event(randomUUID(), 0, 'Refused'), event(randomUUID(), 0, 'Good')];
    await append(pool, good1, refused, good2);

    await expect(relayBatch(pool, broker, { exchange })).rejects.toThrow(/1 of 3 row\(s\) of "outbox" not confirmed/);
    expect(await unpublished(pool)).toEqual([refused.id]);

    await channel.unbindQueue(full, prefixed(f.ns.id, exchange), 'Refused.#');
    const later = f.name('later');
    await broker.declareTopology({ exchanges: [exchange], queues: [{ name: later, bindings: [{ exchange, pattern: 'Refused.#' }] }] });
    expect(await relayBatch(pool, broker, { exchange })).toBe(1);
    expect(await unpublished(pool)).toEqual([]);
  });

  test('when the broker is closed, then the batch fails and every row stays unpublished', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const rows = [event(randomUUID()), event(randomUUID())];
    await append(pool, ...rows);
    await broker.close();
    await expect(relayBatch(pool, broker, { exchange: f.name('events') })).rejects.toThrow(/not confirmed/);
    expect(await unpublished(pool)).toEqual(rows.map((row) => row.id));
  });

  test("when one row's exchange does not exist, then that row waits and the rest of the batch is published", async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    const missing = f.name('missing');
    const lost = { ...event(randomUUID()), destination: { exchange: missing } };
    const fine = event(randomUUID());
    await append(pool, lost, fine);

    await expect(relayBatch(pool, broker, { exchange })).rejects.toThrow(new RegExp(`to exchange ${missing}`));
    expect(await unpublished(pool)).toEqual([lost.id]);
    await eventually(() => received.length === 1);
    expect(received[0]?.id).toBe(fine.id);
  });
});

describe('relay: destinations', () => {
  test('when a row names its exchange and routing key, then it is published there rather than by the relay default', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const [exchange, own] = [f.name('events'), f.name('commands')];
    const queue = f.name('vip');
    await broker.declareTopology({ exchanges: [own], queues: [{ name: queue, bindings: [{ exchange: own, pattern: 'customers.vip' }] }] });
    const received: string[] = [];
    await broker.consume(queue, (message) => void received.push(message.id));
    const row = { ...event(randomUUID()), destination: { exchange: own, routingKey: 'customers.vip' } };
    await append(pool, row);

    expect(await relayBatch(pool, broker, { exchange })).toBe(1);
    await eventually(() => received.length === 1, { description: 'the row reached the queue bound to its routing key only' });
    expect(received).toEqual([row.id]);
  });
});

describe('relay: the table it reads', () => {
  test('when given another table, then it relays that table and leaves the outbox alone', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    // An event store's shape (lab 08): the required columns and its own, none of the optional ones.
    await pool.query(`CREATE TABLE event_store (
      id bigserial PRIMARY KEY, message_id uuid NOT NULL UNIQUE, aggregate_id text NOT NULL, version int NOT NULL,
      type text NOT NULL, payload jsonb NOT NULL, published_at timestamptz, UNIQUE (aggregate_id, version))`);
    const stream = randomUUID();
    const stored = [event(stream, 0, 'Opened'), event(stream, 1, 'Closed')];
    for (const [version, e] of stored.entries()) {
      await pool.query('INSERT INTO event_store (message_id, aggregate_id, version, type, payload) VALUES ($1, $2, $3, $4, $5)', [e.id, stream, version, e.type, e.payload]);
    }
    const waiting = event(randomUUID());
    await append(pool, waiting);

    expect(await relayBatch(pool, broker, { exchange, table: 'event_store' })).toBe(1); // one per aggregate per batch
    expect(await relayBatch(pool, broker, { exchange, table: 'event_store' })).toBe(1);
    await eventually(() => received.length === 2);
    expect(received.map((m) => [m.type, m.key])).toEqual([
      ['Opened', stream],
      ['Closed', stream],
    ]);
    expect(await unpublished(pool, 'event_store')).toEqual([]);
    expect(await unpublished(pool)).toEqual([waiting.id]);
  });

  test('when the table is not a plain SQL name, then the relay refuses to start and names what it got', async () => {
    const [pool, broker] = await Promise.all([f.database(), f.broker()]);
    for (const table of ['outbox; DROP TABLE outbox', 'Outbox', '"outbox"', '']) {
      expect(() => startRelay(pool, broker, f.logger, { exchange: 'events', table })).toThrow(`relay table: expected a lowercase SQL name`);
    }
    await expect(relayBatch(pool, broker, { exchange: 'events', table: 'a.b.c' })).rejects.toThrow('got "a.b.c"');
  });
});
