import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { eventually } from '../../harness/eventually.ts';
import { inTransaction, migrate, type Pool, type PoolClient } from '../db.ts';
import { appendToOutbox, handleOnce, OUTBOX_MIGRATIONS, type OutboxCommand } from './outbox.ts';
import { relayBatch } from './relay.ts';
import { useOutboxFixture } from './test-fixture.ts';

const f = useOutboxFixture('outbox');

const command = (): OutboxCommand => ({
  id: randomUUID(),
  type: 'ReserveCredit',
  aggregateId: randomUUID(),
  payload: { total: 42 },
  destination: { exchange: 'customer-service.commands', routingKey: 'ReserveCredit' },
  correlationId: randomUUID(),
  causationId: randomUUID(),
  replyTo: 'order-service.create-order-saga.replies',
});

describe('appendToOutbox', () => {
  test("when the caller's transaction commits, then its rows are there with their destination and headers", async () => {
    const pool = await f.database();
    const sent = command();
    const event = { id: randomUUID(), type: 'OrderCreated', aggregateId: randomUUID(), payload: { n: 1 } };
    await inTransaction(pool, (tx) => appendToOutbox(tx, event, sent));

    const { rows } = await pool.query('SELECT * FROM outbox ORDER BY id');
    expect(rows).toMatchObject([
      { message_id: event.id, type: 'OrderCreated', aggregate_id: event.aggregateId, payload: event.payload, exchange: null, routing_key: null, correlation_id: null, causation_id: null, reply_to: null, published_at: null },
      {
        message_id: sent.id,
        type: 'ReserveCredit',
        aggregate_id: sent.aggregateId,
        exchange: 'customer-service.commands',
        routing_key: 'ReserveCredit',
        correlation_id: sent.correlationId,
        causation_id: sent.causationId,
        reply_to: sent.replyTo,
      },
    ]);
  });

  test("when the caller's transaction rolls back, then none of its rows remain", async () => {
    const pool = await f.database();
    const failure = inTransaction(pool, async (tx) => {
      await appendToOutbox(tx, command(), command());
      throw new Error('the order could not be saved');
    });
    await expect(failure).rejects.toThrow('the order could not be saved');
    expect((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0);
  });

  test('when a database has only the first outbox migration, then it migrates and its waiting rows are relayed as before', async () => {
    const firstOnly = mkdtempSync(path.join(tmpdir(), 'kit-outbox-'));
    copyFileSync(path.join(OUTBOX_MIGRATIONS, '000_kit_outbox.sql'), path.join(firstOnly, '000_kit_outbox.sql'));
    const [pool, broker] = await Promise.all([f.database('old', [firstOnly]), f.broker()]);
    const orderId = randomUUID();
    const old = { id: randomUUID(), type: 'OrderCreated', payload: { orderId } };
    await pool.query('INSERT INTO outbox (message_id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)', [old.id, orderId, old.type, old.payload]);

    expect(await migrate(pool, OUTBOX_MIGRATIONS)).toEqual(['001_kit_outbox_destination.sql']);
    const exchange = f.name('events');
    const received = await f.collect(broker, exchange);
    expect(await relayBatch(pool, broker, { exchange })).toBe(1);
    await eventually(() => received.length === 1);
    expect(received[0]).toMatchObject({ id: old.id, type: 'OrderCreated', key: orderId, payload: old.payload });
  });
});

describe('handleOnce', () => {
  async function withEffects(): Promise<{ pool: Pool; effect: (tx: PoolClient, id: string) => Promise<void>; effects: (id: string) => Promise<number> }> {
    const pool = await f.database();
    await pool.query('CREATE TABLE effects (message_id uuid NOT NULL)');
    return {
      pool,
      effect: async (tx, id) => void (await tx.query('INSERT INTO effects (message_id) VALUES ($1)', [id])),
      effects: async (id) => (await pool.query('SELECT count(*)::int AS n FROM effects WHERE message_id = $1', [id])).rows[0].n,
    };
  }

  /** Resolves once a session of this database waits for a row lock: the second delivery is blocked on the first. */
  const someoneWaitsOnALock = (pool: Pool) =>
    eventually(async () => (await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n > 0, {
      description: 'the second delivery waits for the first one’s lock',
    });

  /** Two hooks into the first delivery: it says when it has recorded the id, and waits to be released. */
  function gates() {
    let recorded = () => {};
    let release = () => {};
    const firstRecorded = new Promise<void>((resolve) => (recorded = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    return { recorded, firstRecorded, held, release };
  }

  test('when a message is delivered again after it took effect, then the work does not run again', async () => {
    const { pool, effect, effects } = await withEffects();
    const id = randomUUID();
    expect(await handleOnce(pool, id, (tx) => effect(tx, id))).toBe(true);
    expect(await handleOnce(pool, id, (tx) => effect(tx, id))).toBe(false);
    expect(await effects(id)).toBe(1);
  });

  test('when two deliveries of one message are handled at once, then exactly one takes effect', async () => {
    const { pool, effect, effects } = await withEffects();
    const id = randomUUID();
    const { recorded, firstRecorded, held, release } = gates();
    const first = handleOnce(pool, id, async (tx) => {
      await effect(tx, id);
      recorded();
      await held; // the first delivery has recorded the id but not committed
    });
    await firstRecorded;
    const second = handleOnce(pool, id, (tx) => effect(tx, id));
    await someoneWaitsOnALock(pool);
    release();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(await effects(id)).toBe(1);
  });

  test('when the first of two concurrent deliveries fails, then the second takes effect instead', async () => {
    const { pool, effect, effects } = await withEffects();
    const id = randomUUID();
    const { recorded, firstRecorded, held, release } = gates();
    const first = handleOnce(pool, id, async (tx) => {
      await effect(tx, id);
      recorded();
      await held;
      throw new Error('the handler crashed');
    });
    await firstRecorded;
    const second = handleOnce(pool, id, (tx) => effect(tx, id));
    await someoneWaitsOnALock(pool);
    release();
    await expect(first).rejects.toThrow('the handler crashed');
    expect(await second).toBe(true);
    expect(await effects(id)).toBe(1);
  });
});
