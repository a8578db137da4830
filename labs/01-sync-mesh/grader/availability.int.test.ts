import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordAvailability } from '#shared/harness/availability-record.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
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
    let upSamples = 0;
    let samples = 0;
    let running = true;

    // Kill and restart customer-service while a client keeps creating orders, and sample whether it is up.
    // The pauses shape the fault (how long it stays up or down); no assertion waits on a fixed sleep.
    const flapper = (async () => {
      for (let cycle = 0; cycle < 2; cycle++) {
        await pause(400);
        await mesh.killCustomerService();
        await pause(300);
        await mesh.restartCustomerService();
      }
      running = false;
    })();
    const sampler = (async () => {
      while (running) {
        samples += 1;
        if (!mesh.customerService.exited) upSamples += 1;
        await pause(10);
      }
    })();
    const client = (async () => {
      while (running) answers.push(await mesh.createOrder(customerId, 1, 2_000));
    })();
    await Promise.all([flapper, sampler, client]);

    const succeeded = answers.filter((a) => a.status === 201).length;
    const availability = succeeded / answers.length;
    const uptime = upSamples / samples;
    console.info(
      `lab 01: order creation succeeded for ${(availability * 100).toFixed(0)} % of ${answers.length} attempts ` +
        `while customer-service was up ${(uptime * 100).toFixed(0)} % of the time`,
    );
    recordAvailability('01', { availability, uptime, attempts: answers.length });
    const others = [...new Set(answers.filter((a) => a.status !== 201 && a.status !== 503).map(show))];
    expect(others.slice(0, 3), 'while customer-service flaps, every order should be either created (201) or refused as unavailable (503); these answers were neither').toEqual([]);
    expect(succeeded, 'some orders should succeed while customer-service is up').toBeGreaterThan(0);
    expect(availability, 'order creation cannot be more available than the service it calls synchronously').toBeLessThanOrEqual(uptime + 0.1);
    expect(await mesh.storedOrders(customerId), 'every 201 is a stored order, and nothing else is').toBe(succeeded);
  });
});

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
