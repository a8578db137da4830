import { test } from 'vitest';
import { reservationsRace, reserveWhileReleasing, reviseWhileReserving } from './credit-scenarios.ts';
import { describeHistory, type CountermeasuresWorld } from './world.ts';

/**
 * Commutative updates on your tree, run in countermeasures.int.test.ts's world (whose checks at the end also
 * cover them: no customer over the limit, reserved credit equal to the approved orders). The naive variant's
 * checks (anomalies.int.test.ts) prove that the same interleavings lose an update when the credit is written
 * back as a balance computed from a read.
 */
export function commutativeUpdatesChecks(world: () => CountermeasuresWorld): void {
  test('commutative updates: when two orders race for the last credit, the first parked between its read and its write, then exactly one is approved and the customer stays within the limit', async ({ expect }) => {
    const seen = await reservationsRace(world());
    expect(seen.orderB, 'order B reserved while order A was parked').toBe('APPROVED');
    expect(seen.orderA, `order A no longer fits once B reserved: the limit is checked on the credit as it is when written, not as it was read. Order A's saga: ${describeHistory(seen.sagaA)}`).toBe('REJECTED');
    expect(seen.creditReserved, 'reserved credit is order B’s, and only order B’s').toBe(seen.amount);
  });

  test('commutative updates: when a cancelled order’s release is parked between its read and its write while another order reserves, then both changes count: the release gives back its own amount as an increment', async ({ expect }) => {
    const seen = await reserveWhileReleasing(world());
    expect(seen.orderA, describeHistory(seen.cancelSaga)).toBe('CANCELLED');
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.creditReserved, 'after the release, exactly order B’s reservation remains').toBe(seen.totalB);
  });

  test('commutative updates: when an order’s revision is parked between its read of the credit and its write while another order reserves, then both count: a revision is an increment of the difference', async ({ expect }) => {
    const seen = await reviseWhileReserving(world());
    expect(seen.revision.state, describeHistory(seen.revision)).toBe('COMPLETED');
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.creditReserved, 'order A’s revised total and order B’s reservation').toBe(seen.revisedTotal + seen.totalB);
  });
}
