import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failCommitsOf, sqlLiteral } from '#shared/harness/db-faults.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { callsBehindLockedRow } from '#shared/harness/row-lock.ts';
import { OutboxWorld } from './world.ts';

// Lab 02's own checks (lab 02b reuses lab 02's finished services and grades only its relay, so it does not
// run this file): a cancellation happens once, however many requests ask for it at the same moment; an
// order's change and its event commit together; and a relay never publishes an order's event ahead of an
// earlier one another relay holds.
let world: OutboxWorld;
beforeAll(async () => {
  // A mutant another check caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  world = await OutboxWorld.start({ lab: '02-outbox', relayEntry: 'relay/index.ts' });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('02', () => world?.timeline);

/** Runs `sql` on a fresh connection to one of the world's databases. */
async function query<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Sends two cancels of one order while the grader itself holds the order's row locked, and releases the lock
 * only once both are stuck behind it (or already answered, for code that never waits). Both have then read
 * the order while it was CREATED and decided to cancel it; neither has written yet. No sleep decides it.
 */
async function cancelTwiceAtOnce(orderId: string): Promise<number[]> {
  const cancel = () => world.cancelOrder(orderId);
  const answers = await callsBehindLockedRow(world.databases.orders, 'SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId], [cancel, cancel]);
  return answers.map((answer) => answer.status);
}

describe('lab 02: cancelling', () => {
  test('when an order is cancelled twice at once, then its credit is released once', async () => {
    if (world.relays.length === 0) await world.startRelay();
    const customerId = await world.createCustomer();
    const total = 250;
    const created = await world.createOrder(customerId, total);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const orderId = created.body.id as string;

    const statuses = await cancelTwiceAtOnce(orderId);

    const events = await world.queryOrders<{ message_id: string; type: string }>('SELECT message_id, type FROM outbox WHERE aggregate_id = $1 ORDER BY id', [orderId]);
    const cancelled = events.filter((e) => e.type === 'OrderCancelled').length;
    expect(
      cancelled,
      cancelled === 0
        ? 'the outbox should hold the order’s OrderCancelled: write it in the cancellation’s transaction (appendToOutbox)'
        : `the outbox holds ${cancelled} OrderCancelled events for one order. Both cancels read it CREATED before either wrote: ` +
            'change the state only if the order is not cancelled yet, in the cancel’s transaction, and write the event only then',
    ).toBe(1);
    expect(statuses.sort((a, b) => a - b), 'one cancel should succeed (200) and the other be refused as a cancel of a cancelled order is (409)').toEqual([200, 409]);

    // Judge customer-service once it has applied every event of the order (its idempotent consumer records
    // each message id it applied), so that a second release, if any, has happened too.
    const ids = events.map((e) => e.message_id);
    await eventually(
      async () => (await query<{ n: number }>(world.databases.customers, 'SELECT count(*)::int AS n FROM processed_messages WHERE message_id = ANY($1::uuid[])', [ids]))[0]!.n === ids.length,
      { timeoutMs: 15_000, description: `customer-service to apply the order's ${ids.length} events` },
    );
    const { creditReserved } = await world.customer(customerId);
    expect(total - creditReserved, `the credit released should be the order's total (${total}) once: ${total} was reserved, and ${creditReserved} is reserved now`).toBe(total);
  });
});

describe('lab 02: an order’s change and its events', () => {
  test('when the commit of an order’s event fails, then the order’s change rolls back with it (creating and cancelling)', async () => {
    const [creating, cancelling] = await Promise.all([world.createCustomer(), world.createCustomer()]);
    const created = await world.createOrder(cancelling, 300);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const orderId = created.body.id as string;
    // Every commit that writes an event of these two customers fails from now on, as a crash at that moment
    // would leave it: in one transaction, the change rolls back with its event; written apart, it stays.
    // One after the other: DDL on one table from two connections at once can deadlock.
    const faults = [];
    for (const customerId of [creating, cancelling]) faults.push(await failCommitsOf(world.world, 'orders', { table: 'outbox', when: `NEW.payload->>'customerId' = ${sqlLiteral(customerId)}` }));
    try {
      const create = await world.createOrder(creating, 200);
      expect(create.status, 'POST /orders answered 201 although the commit of its event failed').not.toBe(201);
      const cancel = await world.cancelOrder(orderId);
      expect(cancel.status, 'POST /orders/:id/cancel answered 200 although the commit of its event failed').not.toBe(200);
      expect(await Promise.all(faults.map((f) => f.fired())), 'the grader’s faults never tripped: do POST /orders and the cancel append their events to the outbox?').toEqual([1, 1]);
    } finally {
      for (const fault of faults) await fault.remove();
    }
    const orphans = await world.queryOrders<{ id: string }>('SELECT id FROM orders WHERE customer_id = $1', [creating]);
    expect(orphans, 'an order was committed without its OrderCreated event: customer-service will never hear of it. Write both through the same transaction (`tx`, not `pool`) in saveNewOrder').toEqual([]);
    const [order] = await world.queryOrders<{ state: string }>('SELECT state FROM orders WHERE id = $1', [orderId]);
    expect(order?.state, 'the order was cancelled without its OrderCancelled event: its credit will never be released. Write both through the same transaction in saveCancelledOrder').toBe('CREATED');
  });

  test('when another relay holds an order’s OrderCreated, then its OrderCancelled waits instead of overtaking it', async () => {
    // Nothing relays while the grader sets the scene: both events of the order wait in the outbox.
    for (const relay of world.relays) await relay.kill();
    const customerId = await world.createCustomer();
    const created = await world.createOrder(customerId, 75);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const orderId = created.body.id as string;
    expect((await world.cancelOrder(orderId)).status).toBe(200);
    const ofOrder = (id: string) => world.tap.messages.filter((m) => (m.body as { orderId?: string }).orderId === id).map((m) => m.type);
    // The grader plays a relay (or worker) that claimed the order's OrderCreated and is slow to publish it:
    // it holds the row locked, as a claim does until its batch commits.
    const holder = new pg.Client({ connectionString: world.databases.orders });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'OrderCreated' FOR UPDATE", [orderId]);
      await world.startRelay();
      // A later order: its event was written after the held order's OrderCancelled, so once it crossed, the
      // relay has claimed past that OrderCancelled (it claims in id order) and chose to leave it or not.
      const later = await world.createOrder(customerId, 1);
      expect(later.status).toBe(201);
      await world.tap.waitFor((m) => (m.body as { orderId?: string }).orderId === later.body.id, 10_000);
      expect(ofOrder(orderId), 'OrderCancelled was published while the order’s OrderCreated, claimed by another relay, was still unpublished: claim an event only when no earlier event of the same order is unpublished').toEqual([]);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
    }
    await world.tap.waitFor((m) => m.type === 'OrderCancelled' && (m.body as { orderId?: string }).orderId === orderId, 10_000);
    expect(ofOrder(orderId), 'once the held event was released, the order’s events should go out in the order they were written').toEqual(['OrderCreated', 'OrderCancelled']);
  });
});
