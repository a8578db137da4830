import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { expectEffectsExactlyOnce } from './effects.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { OutboxWorld } from './world.ts';

// The outbox must not grow forever. With a retention of 0 and a purge every 200 ms, every published row
// should disappear soon after it was published, while unpublished rows stay.
let world: OutboxWorld;
beforeAll(async () => {
  // A mutant another check caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  world = await OutboxWorld.start({ lab: '02-outbox', relayEntry: 'relay/index.ts', relayEnv: { OUTBOX_RETENTION_MS: '0', OUTBOX_PURGE_EVERY_MS: '200' } });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('02', () => world?.timeline);

describe('lab 02: housekeeping', () => {
  test('when events have been published longer than the retention, then the relay purges them from the outbox', async () => {
    const customerId = await world.createCustomer();
    await world.startRelay();
    const committed = await world.createOrders([customerId], 50, { concurrency: 4 });
    await expectEffectsExactlyOnce(world, committed);
    await eventually(async () => (await world.queryOrders<{ count: string }>('SELECT count(*) FROM outbox'))[0]!.count === '0', {
      timeoutMs: 10_000,
      description: 'the relay to purge the published rows (OUTBOX_RETENTION_MS=0, OUTBOX_PURGE_EVERY_MS=200)',
    });
    expect(await world.unpublished()).toBe(0);
  });

  test('when events are still waiting for the relay, then the purge leaves them', async () => {
    const customerId = await world.createCustomer();
    if (world.relays.every((r) => r.exited)) await world.startRelay();
    // RabbitMQ unreachable for the relay: what commits now stays unpublished, while the purge keeps running.
    world.brokerProxy.refuse(true);
    world.brokerProxy.cut();
    let committed;
    try {
      committed = await world.createOrders([customerId], 20, { concurrency: 4 });
      // A row marked published just now: once it is gone, a purge ran after the 20 events were written.
      const marker = randomUUID();
      await world.queryOrders("INSERT INTO outbox (message_id, aggregate_id, type, payload, published_at) VALUES ($1, $1, 'PurgeMarker', '{}', now())", [marker]);
      await eventually(async () => (await world.queryOrders('SELECT 1 FROM outbox WHERE message_id = $1', [marker])).length === 0, {
        timeoutMs: 10_000,
        description: 'the relay to purge a published row (OUTBOX_RETENTION_MS=0, OUTBOX_PURGE_EVERY_MS=200)',
      });
      const waiting = await world.queryOrders<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND payload->>'customerId' = $1", [customerId]);
      expect(waiting[0]!.n, 'the purge deleted events the relay had not published yet (they are lost): delete only rows whose published_at is older than the retention').toBe(20);
    } finally {
      world.brokerProxy.refuse(false);
    }
    await expectEffectsExactlyOnce(world, committed);
  });
});
