import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeAvailability, recordAvailability } from '#shared/harness/availability-record.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { whileFlapping } from '#shared/harness/flapping.ts';
import { Mesh, show, type HttpAnswer } from './mesh.ts';

// Availability measured while customer-service flaps. In its own file so that it runs beside the others.
let mesh: Mesh;
beforeAll(async () => {
  mesh = await Mesh.start();
});
afterAll(async () => {
  await mesh?.stop();
});
writeTimelineOnFailure('01', () => mesh?.timeline);

describe('lab 01: availability under a flapping dependency', () => {
  test('when customer-service flaps, then order creation is no more available than customer-service', async () => {
    const customerId = await mesh.createCustomer(100_000_000);
    const answers: HttpAnswer[] = [];
    // Kill and restart customer-service while a client keeps creating orders.
    const { uptime } = await whileFlapping(mesh.customerService, async () => {
      answers.push(await mesh.createOrder(customerId, 1, 2_000));
    });

    const succeeded = answers.filter((a) => a.status === 201).length;
    const availability = succeeded / answers.length;
    console.info(`lab 01: order creation succeeded for ${describeAvailability({ availability, uptime, attempts: answers.length, target: '', at: '' })}`);
    recordAvailability('01', { availability, uptime, attempts: answers.length });
    const others = [...new Set(answers.filter((a) => a.status !== 201 && a.status !== 503).map(show))];
    expect(others.slice(0, 3), 'while customer-service flaps, every order should be either created (201) or refused as unavailable (503); these answers were neither').toEqual([]);
    expect(succeeded, 'some orders should succeed while customer-service is up').toBeGreaterThan(0);
    expect(availability, 'order creation cannot be more available than the service it calls synchronously').toBeLessThanOrEqual(uptime + 0.1);
    expect(await mesh.storedOrders(customerId), 'every 201 is a stored order, and nothing else is').toBe(succeeded);
  });
});

