import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { holdAppend, StoreWorld } from './world.ts';

let world: StoreWorld;
beforeAll(async () => {
  world = await StoreWorld.start();
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('08', () => world?.world.timeline);

/** An order with `lines` lines, confirmed: 2 + lines events. */
async function busyOrder(lines: number): Promise<string> {
  const orderId = await world.placeOrder();
  for (let i = 0; i < lines; i++) {
    const added = await world.call('POST', `/orders/${orderId}/lines`, { sku: `sku-${i}`, quantity: 1 + i, unitPrice: 250 });
    if (added.status !== 200) throw new Error(`POST /orders/:id/lines answered ${added.status} ${JSON.stringify(added.body)}`);
  }
  await world.call('POST', `/orders/${orderId}/confirm`);
  return orderId;
}

async function armCrash(at: 'before-publish' | 'after-publish'): Promise<void> {
  const armed = await world.world.call('publisher', 'POST', '/admin/crash', { at });
  expect(armed.status, JSON.stringify(armed.body)).toBe(200);
}

describe('lab 08: publishing from the store', () => {
  test('when a slow transaction commits an earlier position after the publisher published a later one, then the consumer still gets both', async () => {
    const slow = await holdAppend(world.databaseUrl);
    const fast = await world.placeOrder();
    // The publisher looks at the store (twice, so at least once after the fast order committed) while the slow
    // transaction is still open. A reader by position alone goes past the slow one's position here.
    await world.publisherLooked(2);
    await slow.commit();
    await world.allPublished([slow.streamId, fast], 10_000);
  });

  test('when the publisher is SIGKILLed before a publish, after the confirms but before its checkpoint, and at random moments, then the consumer gets every event, duplicates only by id', async () => {
    const orders: string[] = [];
    for (const point of ['before-publish', 'after-publish', 'before-publish'] as const) {
      await armCrash(point);
      orders.push(await busyOrder(3));
      await eventually(() => world.world.service('publisher').exited, { timeoutMs: 10_000, description: `the publisher to crash at ${point}` });
      await world.checkpointHonest(point);
      await world.world.restart('publisher');
      if (mutantAlreadyCaught()) return;
    }
    // Kills at moments nobody chose: after every few commands, while orders keep coming.
    for (let round = 0; round < 3; round++) {
      const placing = Promise.all(Array.from({ length: 4 }, () => busyOrder(2)));
      await world.world.kill('publisher');
      await world.world.restart('publisher');
      orders.push(...(await placing));
    }
    const stored = await world.allPublished(orders, 20_000);
    expect(stored.length, 'events of the chaos orders in the store').toBe(3 * 5 + 12 * 4);
    expect(world.duplicatesOnlyById(), 'two different messages for one (order, version)').toEqual([]);
    const copies = [...world.received().values()].filter((n) => n > 1).length;
    console.log(`lab 08: publisher chaos: ${stored.length} events, all received; ${copies} received more than once (by id)`);
  });

  test('when the projection is rebuilt from the store, then it equals the live one, which equals what the streams say', async () => {
    const slow = await holdAppend(world.databaseUrl);
    const orders = [await busyOrder(2), await busyOrder(1)];
    await world.call('POST', `/orders/${orders[1]}/cancel`, { reason: 'rebuild day' });
    await world.projectorLooked(2);
    await slow.commit();
    orders.push(slow.streamId);
    // Live: every order's summary says what its stream says.
    const summaries = async () =>
      world.query<{ orderId: string }>('SELECT order_id AS "orderId", customer_id AS "customerId", status, line_count AS "lineCount", total::int AS total, version FROM order_summary ORDER BY order_id');
    const fromStreams = async () => {
      const expected = [];
      for (const id of orders) {
        const { body } = await world.call('GET', `/orders/${id}`);
        const state = body.state as { status: string; customerId: string; lines: Array<{ quantity: number; unitPrice: number }>; total?: number };
        const total = state.total ?? state.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
        expected.push({ orderId: id, customerId: state.customerId, status: state.status, lineCount: state.lines.length, total, version: body.version });
      }
      return expected.sort((a, b) => a.orderId.localeCompare(b.orderId));
    };
    const expected = await fromStreams();
    const mine = async () => (await summaries()).filter((s) => orders.includes(s.orderId));
    await eventually(async () => JSON.stringify(await mine()) === JSON.stringify(expected), { timeoutMs: 10_000, description: 'the live summaries to say what the streams say' }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nlive: ${JSON.stringify(await mine())}\nstreams: ${JSON.stringify(expected)}`);
    });
    const live = await summaries();

    const rebuild = await world.call('POST', '/admin/projection/rebuild');
    expect(rebuild.status).toBe(202);
    await eventually(async () => JSON.stringify(await summaries()) === JSON.stringify(live), { timeoutMs: 15_000, description: 'the rebuilt projection to equal the live one' }).catch(async (error: Error) => {
      const rebuilt = await summaries();
      throw new Error(`${error.message}\n${rebuilt.length} rows rebuilt, ${live.length} live; first rebuilt rows: ${JSON.stringify(rebuilt.slice(0, 3))}`);
    });
  });
});
