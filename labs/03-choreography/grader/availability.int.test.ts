import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeAvailability, readAvailability, recordAvailability } from '#shared/harness/availability-record.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { whileFlapping } from '#shared/harness/flapping.ts';
import { expectConsistent } from './consistency.ts';
import { SagaWorld } from './world.ts';

let world: SagaWorld;
beforeAll(async () => {
  // A mutant another check caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  world = await SagaWorld.start({ consumers: 2 });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('03', () => world?.timeline);

describe('lab 03: availability without runtime coupling', () => {
  test('when customer-service is stopped, then orders are still accepted and finish once it is back', async () => {
    const customerId = await world.createCustomer(100_000);
    await world.customerService.kill();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 10; i++) ids.push(await world.acceptedOrder(customerId, 100));
      const pending = await Promise.all(ids.map((id) => world.order(id)));
      expect(pending.map((o) => o.state), 'with customer-service down, nothing can decide the orders yet: they wait in APPROVAL_PENDING').toEqual(ids.map(() => 'APPROVAL_PENDING'));
    } finally {
      await world.customerService.restart();
    }
    const settled = await world.settledAll(ids);
    expect(settled.map((o) => o.state)).toEqual(ids.map(() => 'APPROVED'));
    await expectConsistent(world, ids);
  });

  test('when an order is still pending, then cancelling it is refused with 409 and changes nothing', async () => {
    const customerId = await world.createCustomer(10_000);
    // With customer-service stopped, the order stays APPROVAL_PENDING for as long as the test needs: the saga
    // is still deciding, and its credit reservation may be on its way (the semantic lock).
    await world.customerService.kill();
    let id: string;
    try {
      id = await world.acceptedOrder(customerId, 700);
      const answer = await world.cancelOrder(id);
      expect(answer.status, `cancelling an order whose saga has not decided yet must be refused with 409 (only an APPROVED order can be cancelled); it answered ${answer.status} ${JSON.stringify(answer.body)}`).toBe(409);
      expect((await world.order(id)).state, 'a refused cancel must leave the order APPROVAL_PENDING').toBe('APPROVAL_PENDING');
      const events = await world.world.query<{ type: string }>('orders', 'SELECT type FROM outbox WHERE aggregate_id = $1 ORDER BY id', [id]);
      expect(events.map((e) => e.type), 'a refused cancel must not append an event: customer-service would release credit it never reserved').toEqual(['OrderCreated']);
    } finally {
      await world.customerService.restart();
    }
    const [order] = await world.settledAll([id]);
    expect(order!.state, 'once customer-service is back, the order whose cancel was refused is decided as usual').toBe('APPROVED');
    await expectConsistent(world, [id]);
  });

  test('when customer-service flaps, then order creation stays available, measured as in lab 01', async () => {
    const customerId = await world.createCustomer(100_000_000);
    const statuses: number[] = [];
    const ids: string[] = [];
    // The same fault, measured by the same function as lab 01's grader: customer-service killed and
    // restarted while a client keeps creating orders.
    const { uptime } = await whileFlapping(world.customerService, async () => {
      const answer = await world.createOrder(customerId, 1);
      statuses.push(answer.status);
      if (answer.status === 202) ids.push(answer.body.id as string);
    });
    const availability = statuses.filter((s) => s === 202).length / statuses.length;
    recordAvailability('03', { availability, uptime, attempts: statuses.length });
    const lab01 = readAvailability()['01'];
    console.info(`lab 03: order creation accepted ${describeAvailability({ availability, uptime, attempts: statuses.length, target: '', at: '' })}`);
    console.info(lab01 ? `lab 01: (measured the same way, ${lab01.target}, ${lab01.at.slice(0, 16)}) ${describeAvailability(lab01)}` : 'lab 01: no figure yet; run `npm run grade -- 01` to compare');
    expect(availability, 'creating an order must not depend on customer-service being up').toBe(1);
    await expectConsistent(world, ids);
  });
});
