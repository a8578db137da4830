import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { OutboxWorld } from './world.ts';

// Lab 02's own check (lab 02b reuses lab 02's finished services and grades only its relay, so it does not
// run this file): a cancellation must happen once, however many requests ask for it at the same moment.
let world: OutboxWorld;
beforeAll(async () => {
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
  const holder = new pg.Client({ connectionString: world.databases.orders });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    let answered = 0;
    const cancels = [world.cancelOrder(orderId), world.cancelOrder(orderId)].map((call) => call.finally(() => (answered += 1)));
    // The namespace's database is this file's alone: any session waiting for a lock in it is a cancel.
    const waiting = async () =>
      (await query<{ n: number }>(world.databases.orders, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0'))[0]!.n;
    await eventually(async () => answered + (await waiting()) >= 2, { timeoutMs: 10_000, description: 'both cancels to reach the order row the grader holds locked' });
    await holder.query('ROLLBACK');
    return (await Promise.all(cancels)).map((answer) => answer.status);
  } finally {
    await holder.end();
  }
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
