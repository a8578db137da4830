import { expect } from 'vitest';
import type { Committed, OutboxWorld } from './world.ts';

/**
 * The invariant every chaos test ends with: each committed order took effect exactly once at
 * customer-service (no effect lost, none doubled), judged once the effects can no longer change.
 */
export async function expectEffectsExactlyOnce(world: OutboxWorld, committed: Committed): Promise<void> {
  const { expected, actual } = await world.effects(committed);
  const sum = (rows: typeof expected, key: 'ordersSeen' | 'creditReserved') => rows.reduce((s, r) => s + r[key], 0);
  expect(
    sum(actual, 'ordersSeen'),
    `effects at customer-service should equal orders committed (${sum(expected, 'ordersSeen')}): fewer means lost events, more means duplicates applied twice`,
  ).toBe(sum(expected, 'ordersSeen'));
  expect(actual.map((a) => a.creditReserved), 'credit reserved per customer should equal the sum of its orders, each counted once').toEqual(expected.map((e) => e.creditReserved));
}
