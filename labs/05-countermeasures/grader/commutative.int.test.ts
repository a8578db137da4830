import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { reservationsRace, reserveWhileReleasing } from './credit-scenarios.ts';
import { CountermeasuresWorld, describeHistory } from './world.ts';

// Commutative updates on your tree. The naive variant's checks (anomalies.int.test.ts) prove that the same
// interleavings lose an update when the credit is written back as a balance computed from a read.
let world: CountermeasuresWorld;
beforeAll(async () => {
  world = await CountermeasuresWorld.start('target');
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('05', () => world?.timeline);

describe.concurrent('lab 05: commutative updates (your tree)', () => {
  test('commutative updates: when two orders race for the last credit, the first parked between its read and its write, then exactly one is approved and the customer stays within the limit', async ({ expect }) => {
    const seen = await reservationsRace(world);
    expect(seen.orderB, 'order B reserved while order A was parked').toBe('APPROVED');
    expect(seen.orderA, `order A no longer fits once B reserved: the limit is checked on the credit as it is when written, not as it was read. Order A's saga: ${describeHistory(seen.sagaA)}`).toBe('REJECTED');
    expect(seen.creditReserved, 'reserved credit is order B’s, and only order B’s').toBe(seen.amount);
  });

  test('commutative updates: when a cancelled order’s release is parked between its read and its write while another order reserves, then both changes count: the release gives back its own amount as an increment', async ({ expect }) => {
    const seen = await reserveWhileReleasing(world);
    expect(seen.orderA, describeHistory(seen.cancelSaga)).toBe('CANCELLED');
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.creditReserved, 'after the release, exactly order B’s reservation remains').toBe(seen.totalB);
  });
});

describe('lab 05: commutative updates, at the end', () => {
  test('when the credit checks are done, then every saga ended, no customer is over the limit, and reserved credit equals the approved orders', async () => {
    const seen = await world.invariants();
    expect(seen.unfinishedSagas, `sagas still running: ${seen.unfinishedSagas.join('; ')}`).toEqual([]);
    expect(seen.overLimit, `customers over their credit limit: ${seen.overLimit.join('; ')}`).toEqual([]);
    expect(seen.creditMismatches, `reserved credit is not the sum of the approved orders: ${seen.creditMismatches.join('; ')}`).toEqual([]);
  });
});
