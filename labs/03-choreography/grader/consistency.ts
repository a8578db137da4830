import { expect } from 'vitest';
import type { SagaWorld } from './world.ts';

/**
 * The invariant each test file ends with: every saga ended, and each customer's reserved credit is the sum
 * of its approved orders (no credit held for a rejected or cancelled order, none counted twice).
 */
export async function expectConsistent(world: SagaWorld, orderIds: string[]): Promise<void> {
  expect(orderIds.length, 'the invariant was checked on no order at all: the check must make orders of its own').toBeGreaterThan(0);
  for (const { customerId, approved, reserved } of await world.creditAgainstApproved(orderIds)) {
    expect(reserved, `customer ${customerId}: reserved credit should equal the sum of its approved orders`).toBe(approved);
  }
}
