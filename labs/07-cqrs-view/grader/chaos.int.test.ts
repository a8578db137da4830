import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { deliveryOf, eventsOf, histories, type Event } from './model.ts';
import { idsOf, ViewWorld } from './world.ts';

let world: ViewWorld;
beforeAll(async () => {
  world = await ViewWorld.start();
  await world.ready();
});
afterAll(async () => {
  await world?.stop();
});

/** `count` generated histories, each delivered shuffled with duplicates: their events, and the delivery. */
function generated(count: number, seed: number): { events: Event[]; delivered: Event[] } {
  const runs = fc.sample(
    histories.chain((h) => {
      const events = eventsOf(h);
      return fc.tuple(fc.constant(events), deliveryOf(events));
    }),
    { numRuns: count, seed },
  );
  return { events: runs.flatMap(([e]) => e), delivered: runs.flatMap(([, d]) => d) };
}

describe('lab 07: the view survives crashes and rebuilds', () => {
  test('when order-history-service is SIGKILLed mid-stream (after a commit, before its ack), then after the restart nothing is missing or doubled', async () => {
    const { events, delivered } = generated(60, 7);
    for (const entries of [150, 250]) {
      const armed = await world.call('order-history-service', 'POST', '/admin/crash-after', { entries });
      expect(armed.status).toBe(200);
      await world.publish(delivered.slice(0, Math.ceil(delivered.length / 2)));
      delivered.splice(0, Math.ceil(delivered.length / 2));
      await eventually(() => world.view.exited, { timeoutMs: 15_000, description: `order-history-service to crash after applying ${entries} more entries` });
      await world.view.restart();
    }
    await world.publish(delivered);
    await world.converged(idsOf(events));
  });

  test('when the view is rebuilt while writes keep arriving, then the old view answers in full until the rebuilt one caught up, and the rebuilt one equals it', async () => {
    const before = generated(25, 11);
    await world.publish(before.delivered);
    const customer = await world.call('customer-service', 'POST', '/customers', { name: 'Barbara Liskov', creditLimit: 10_000 });
    const ids = new Set([...idsOf(before.events), customer.body.id as string]);
    await world.converged();
    const { active } = await world.status();

    // Held after 5 entries: the rebuilt generation is far behind, and must not answer yet.
    const started = await world.call('order-history-service', 'POST', '/admin/rebuild', { pauseAfter: 5 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await eventually(async () => (await world.status()).rebuilding?.held === true, { timeoutMs: 10_000, description: 'the rebuild to apply 5 entries and hold' });

    // Writes keep arriving while the rebuild is held: the live view takes them, and answers in full.
    const during = generated(10, 13);
    await world.publish(during.delivered);
    const order = await world.call('order-flow-service', 'POST', '/orders', { customerId: customer.body.id, total: 4_200, description: 'rebuild day cake' });
    for (const id of [...idsOf(during.events), order.body.id as string]) ids.add(id);
    await world.converged(undefined, 20_000).catch((error: Error) => {
      throw new Error(`while a rebuild was held after 5 entries, the view that answers queries lacked what the events say: did it switch to the rebuilt generation before it caught up?\n${error.message}`);
    });
    expect((await world.status()).active?.generation, 'the rebuilt generation answers before it caught up with the live one').toBe(active!.generation);

    await world.call('order-history-service', 'POST', '/admin/rebuild/release');
    const after = generated(10, 17);
    await world.publish(after.delivered);
    await eventually(async () => (await world.status()).rebuilding === null, { timeoutMs: 20_000, description: 'the rebuild to catch up and switch' });
    expect((await world.status()).active?.generation, 'after the switch, the rebuilt generation answers').toBe(active!.generation + 1);
    await world.converged(undefined, 20_000).catch((error: Error) => {
      throw new Error(`the rebuilt view differs from what the events say (a rebuild must replay every log from its first entry):\n${error.message}`);
    });
  });
});

