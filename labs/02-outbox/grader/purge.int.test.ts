import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { expectEffectsExactlyOnce } from './effects.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { OutboxWorld } from './world.ts';

// The outbox must not grow forever. With a retention of 0 and a purge every 200 ms, every published row
// should disappear soon after it was published, while unpublished rows stay.
let world: OutboxWorld;
beforeAll(async () => {
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
});
