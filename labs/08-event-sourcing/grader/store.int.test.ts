import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { materializeVariant, REPO_ROOT, type Mutant } from '#shared/harness/mutants.ts';
import { callsBehindLockedRow } from '#shared/harness/row-lock.ts';
import { importFromTarget } from '#shared/harness/target.ts';
import { commitAppend, holdAppend, LAB, StoreWorld } from './world.ts';

type EventStore = typeof import('../order-service/db/event-store.ts');
type Reader = typeof import('../order-service/db/store-reader.ts');

let world: StoreWorld;
let pool: pg.Pool;
beforeAll(async () => {
  world = await StoreWorld.start();
  pool = new pg.Pool({ connectionString: world.databaseUrl, max: 8 });
});
afterAll(async () => {
  await pool?.end();
  await world?.stop();
});

/** The solution with its reader made naive (by position alone): the trap below must catch it, or it shows nothing. */
async function naiveReader(): Promise<Reader> {
  const { default: mutants, NAIVE_READER } = (await import(path.join(REPO_ROOT, 'solutions', LAB, 'mutants.ts'))) as { default: Mutant[]; NAIVE_READER: string };
  const tree = materializeVariant(LAB, 'naive-reader-for-the-trap', mutants.filter((m) => m.id === NAIVE_READER));
  return (await import(path.join(tree, 'order-service/db/store-reader.ts'))) as Reader;
}

/** Reads with `reader` from `from` until it answers nothing more; the events read and where it stopped. */
async function readToEnd(reader: Reader, from: ReturnType<Reader['checkpointOf']>) {
  const events: Array<{ id: string; streamId: string }> = [];
  let checkpoint = from;
  for (;;) {
    const batch = await reader.readCommitted(pool, checkpoint, 3);
    if (batch.length === 0) return { events, checkpoint };
    events.push(...batch);
    checkpoint = reader.checkpointOf(batch, checkpoint);
  }
}

/**
 * The trap, forced: a transaction takes a position and stays open; a later one commits; the reader reads;
 * then the first one commits, and the reader reads again. Answers the streams the reader saw.
 */
async function trap(reader: Reader): Promise<{ slow: string; fast: string; seen: string[] }> {
  let { checkpoint } = await readToEnd(reader, reader.START);
  const slow = await holdAppend(world.databaseUrl);
  const fast = await commitAppend(world.databaseUrl);
  const seen: string[] = [];
  const read = async () => {
    const next = await readToEnd(reader, checkpoint);
    seen.push(...next.events.map((e) => e.streamId));
    checkpoint = next.checkpoint;
  };
  await read();
  await slow.commit();
  await everyTransactionOver([slow.streamId, fast]);
  await read();
  return { slow: slow.streamId, fast, seen };
}

/**
 * Waits until no transaction still running on the server is older than the ones that wrote `streams`.
 * Transaction ids are server-wide: a transaction open in another database (another test's) holds a gap-free
 * reader back for a while, by design. Once this resolves, a reader has no excuse for not returning them.
 */
async function everyTransactionOver(streams: readonly string[]): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await pool.query<{ over: boolean }>('SELECT bool_and(tx_id < pg_snapshot_xmin(pg_current_snapshot())) AS over FROM events WHERE stream_id = ANY($1::uuid[])', [streams]);
      return rows[0]!.over === true;
    },
    { timeoutMs: 30_000, intervalMs: 20, description: 'every transaction older than the test’s to finish (one held open elsewhere on the server delays it)' },
  );
}

describe('lab 08: the event store', () => {
  test('when five commands hit one order at the same moment (all loaded it before any appended), then all five are appended, at versions 2 to 6, none lost or doubled', async () => {
    const orderId = await world.placeOrder();
    const skus = ['tea', 'cake', 'jam', 'scone', 'milk'];
    const answers = await callsBehindLockedRow(
      world.databaseUrl,
      'SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE',
      [orderId],
      skus.map((sku) => () => world.call('POST', `/orders/${orderId}/lines`, { sku, quantity: 1, unitPrice: 100 })),
    );
    expect(answers.map((a) => a.status), `every command must succeed: a conflict is retried on the fresh state, not refused (${JSON.stringify(answers.map((a) => a.body))})`).toEqual([200, 200, 200, 200, 200]);
    const stream = await world.call('GET', `/orders/${orderId}/events`);
    const events = stream.body.events as Array<{ version: number; type: string; data: { line?: { sku: string } } }>;
    expect(events.map((e) => e.version), 'the stream’s versions').toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.slice(1).map((e) => e.data.line?.sku).sort(), 'each command’s line, once').toEqual([...skus].sort());
    const order = await world.call('GET', `/orders/${orderId}`);
    expect(order.body).toMatchObject({ version: 6, state: { status: 'open' } });
  });

  test('when a cancel races lines being added, then no line is appended after the cancellation (a retried command decides again on the fresh state)', async () => {
    const orderId = await world.placeOrder();
    const answers = await callsBehindLockedRow(world.databaseUrl, 'SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE', [orderId], [
      () => world.call('POST', `/orders/${orderId}/cancel`, { reason: 'out of tea' }),
      ...['a', 'b', 'c'].map((sku) => () => world.call('POST', `/orders/${orderId}/lines`, { sku, quantity: 1, unitPrice: 5 })),
    ]);
    expect(answers.every((a) => a.status === 200 || (a.status === 409 && a.body.reason === 'rejected')), JSON.stringify(answers)).toBe(true);
    const types = ((await world.call('GET', `/orders/${orderId}/events`)).body.events as Array<{ type: string }>).map((e) => e.type);
    expect(types.at(-1), `the stream ${types.join(', ')}: nothing may follow OrderCancelled`).toBe('OrderCancelled');
  });

  test('when two appends expect the same version at the same moment, then exactly one wins and the other gets a VersionConflictError', async () => {
    const { appendToStream, VersionConflictError } = await importFromTarget<EventStore>(LAB, 'order-service/db/event-store.ts');
    const orderId = await world.placeOrder();
    const append = (sku: string) => () =>
      appendToStream(pool, orderId, 'Order', 1, [{ id: crypto.randomUUID(), type: 'LineAdded', data: { line: { sku, quantity: 1, unitPrice: 1 } } }]).then(
        (version) => ({ version }),
        (error: unknown) => ({ error }),
      );
    const outcomes = await callsBehindLockedRow(world.databaseUrl, 'SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE', [orderId], [append('x'), append('y')]);
    expect(outcomes.filter((o) => 'version' in o).map((o) => (o as { version: number }).version), 'the winner’s new version').toEqual([2]);
    const lost = outcomes.find((o) => 'error' in o) as { error: unknown } | undefined;
    expect(lost?.error, `the loser must get a VersionConflictError, got ${String(lost?.error)}`).toBeInstanceOf(VersionConflictError);

    const fresh = crypto.randomUUID();
    const create = () => appendToStream(pool, fresh, 'Order', 0, [{ id: crypto.randomUUID(), type: 'OrderPlaced', data: { orderId: fresh, customerId: fresh, placedAt: 'now' } }]);
    expect(await create()).toBe(1);
    await expect(create(), 'expected version 0 on a stream that exists').rejects.toBeInstanceOf(VersionConflictError);
    await expect(appendToStream(pool, orderId, 'Order', 7, [{ id: crypto.randomUUID(), type: 'OrderCancelled', data: {} }]), 'an expected version ahead of the stream').rejects.toBeInstanceOf(VersionConflictError);
  });

  test('when a transaction holding an earlier position commits after a later one was read, then the naive reader (by position) misses it: the trap is real', async () => {
    const { slow, fast, seen } = await trap(await naiveReader());
    expect(seen, 'the naive reader saw the later event').toContain(fast);
    expect(seen, 'the naive reader should have missed the event that committed late: if it did not, this check forces nothing').not.toContain(slow);
  });

  test('when a transaction holding an earlier position commits after a later one was read, then the reader still returns it, and each event once', async () => {
    const reader = await importFromTarget<Reader>(LAB, 'order-service/db/store-reader.ts');
    const { slow, fast, seen } = await trap(reader);
    expect(seen.filter((s) => s === slow || s === fast).sort(), 'the events of the slow and the fast transaction, once each').toEqual([slow, fast].sort());
  });

  test('when long and short transactions interleave (held open, committed and rolled back in a mixed order), then reading as they go returns every committed event exactly once', async () => {
    const reader = await importFromTarget<Reader>(LAB, 'order-service/db/store-reader.ts');
    let { checkpoint } = await readToEnd(reader, reader.START);
    const seen: string[] = [];
    const read = async () => {
      const next = await readToEnd(reader, checkpoint);
      seen.push(...next.events.map((e) => e.streamId));
      checkpoint = next.checkpoint;
    };
    const committed: string[] = [];
    const held = [await holdAppend(world.databaseUrl), await holdAppend(world.databaseUrl), await holdAppend(world.databaseUrl), await holdAppend(world.databaseUrl)];
    // A fixed script, so that a failure replays: short commits between the long ones' ends, reads everywhere.
    const script = ['short', 'short', 'read', 'end 2', 'short', 'read', 'end 0', 'read', 'short', 'rollback 3', 'read', 'short', 'end 1', 'short', 'read'];
    for (const step of script) {
      const [what, index] = step.split(' ');
      if (what === 'short') committed.push(await commitAppend(world.databaseUrl));
      if (what === 'read') await read();
      if (what === 'end') {
        await held[Number(index)]!.commit();
        committed.push(held[Number(index)]!.streamId);
      }
      if (what === 'rollback') await held[Number(index)]!.rollback();
    }
    const mine = new Set([...committed, held[3]!.streamId]);
    await everyTransactionOver(committed);
    await read();
    const got = seen.filter((s) => mine.has(s));
    expect([...got].sort(), 'every committed event once, and not the rolled-back one').toEqual([...committed].sort());
  });

  test('when a command is malformed, then the service answers 4xx naming the field, never a 5xx', async () => {
    expect(await world.call('POST', '/orders', { customerId: 'nobody' })).toMatchObject({ status: 400, body: { field: 'customerId' } });
    const orderId = await world.placeOrder();
    expect(await world.call('POST', `/orders/${orderId}/lines`, { sku: 'tea', quantity: 0, unitPrice: 100 })).toMatchObject({ status: 400, body: { field: 'quantity' } });
    expect(await world.call('POST', `/orders/${orderId}/lines`, { sku: 'tea', quantity: 1, unitPrice: 1e12 })).toMatchObject({ status: 400, body: { field: 'unitPrice' } });
    expect(await world.call('POST', `/orders/${orderId}/cancel`, {})).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await world.call('POST', '/orders/not-an-id/confirm')).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await world.call('POST', `/orders/${crypto.randomUUID()}/confirm`)).toMatchObject({ status: 404, body: { field: 'id' } });
    expect(await world.call('POST', `/orders/${orderId}/confirm`)).toMatchObject({ status: 409, body: { field: 'id', reason: 'rejected' } });
  });
});
