import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { expectConsistent } from './consistency.ts';
import { SagaWorld } from './world.ts';

let world: SagaWorld;
beforeAll(async () => {
  // A mutant another check caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  // Eight messages handled side by side in customer-service, as several instances would.
  world = await SagaWorld.start({ consumers: 8 });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('03', () => world?.timeline);

describe('lab 03: concurrent sagas', () => {
  test('when 50 orders for one customer arrive at once, then the credit reserved never exceeds the limit', async () => {
    const customerId = await world.createCustomer(1_000);
    // The orders pile up while customer-service is down, so that its eight consumers start on a backlog and
    // handle reservations for the same customer side by side: the race a missing row lock loses, every time
    // rather than only when the orders happen to arrive close together.
    await world.customerService.kill();
    let ids: string[];
    try {
      ids = await Promise.all(Array.from({ length: 50 }, () => world.acceptedOrder(customerId, 100)));
    } finally {
      await world.customerService.restart();
    }
    const settled = await world.settledAll(ids);
    const approved = settled.filter((o) => o.state === 'APPROVED');
    const { creditReserved } = await world.customer(customerId);
    console.info(`lab 03: 50 concurrent orders of 100 against a limit of 1000: ${approved.length} approved, ${settled.length - approved.length} rejected, ${creditReserved} reserved`);
    expect(approved.length * 100, 'more credit was approved than the limit allows: two reservations read the same free credit').toBeLessThanOrEqual(1_000);
    expect(creditReserved).toBeLessThanOrEqual(1_000);
    expect(approved.length, 'exactly ten orders of 100 fit in a limit of 1000').toBe(10);
    await expectConsistent(world, ids);
  });
});
