import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordAvailability } from '#shared/harness/availability-record.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { CUSTOMER_TIMEOUT_MS, Mesh, show, type HttpAnswer } from './mesh.ts';

// The lesson of lab 01: with a synchronous call, order-service can only be as available as customer-service,
// and a crash between the two services' writes leaves them disagreeing.
let mesh: Mesh;
beforeAll(async () => {
  mesh = await Mesh.start();
});
afterAll(async () => {
  await mesh?.stop();
});
writeTimelineOnFailure('01', () => mesh?.timeline);

/** How long beyond its own deadline order-service may take to answer: start-up noise, not a hang. */
const SLACK_MS = 1_000;

describe('lab 01: runtime coupling', () => {
  test('when customer-service is stopped, then creating an order fails fast with 503', async () => {
    const customerId = await mesh.createCustomer(10_000);
    await mesh.killCustomerService();
    try {
      const answer = await mesh.createOrder(customerId, 100);
      expect(answer.status, `with customer-service down, order-service should answer 503 (unavailable); it answered ${show(answer)}`).toBe(503);
      expect(answer.ms, 'a refused connection is known at once: answer without waiting for the timeout').toBeLessThan(CUSTOMER_TIMEOUT_MS + SLACK_MS);
    } finally {
      await mesh.restartCustomerService();
    }
    expect(await mesh.storedOrders(customerId)).toBe(0);
  });

  test('when customer-service is slower than the timeout, then order-service gives up and answers 503', async () => {
    const customerId = await mesh.createCustomer(10_000);
    mesh.proxy.setLatency(CUSTOMER_TIMEOUT_MS * 5);
    let answer: HttpAnswer;
    try {
      answer = await mesh.createOrder(customerId, 100, CUSTOMER_TIMEOUT_MS * 4);
    } finally {
      mesh.proxy.setLatency(0);
    }
    expect(
      answer.status,
      `order-service should stop waiting after CUSTOMER_TIMEOUT_MS (${CUSTOMER_TIMEOUT_MS} ms) and answer 503; it answered ${show(answer)}. ` +
        'Does the call to customer-service have a timeout?',
    ).toBe(503);
    expect(answer.ms).toBeLessThan(CUSTOMER_TIMEOUT_MS + SLACK_MS);
  });

  test('when customer-service dies after reserving credit but before replying, then credit stays reserved for an order that does not exist', async () => {
    const customerId = await mesh.createCustomer(10_000);
    // The proxy lets the request through and swallows the reply: the moment the first byte of the reply
    // arrives, customer-service has committed the reservation, and that is when we kill it.
    let killed: Promise<void> | undefined;
    mesh.proxy.dropResponses(true, () => {
      killed = mesh.killCustomerService();
    });
    let answer: HttpAnswer;
    try {
      answer = await mesh.createOrder(customerId, 700);
    } finally {
      mesh.proxy.dropResponses(false);
      await killed;
      await mesh.restartCustomerService();
    }
    expect(answer.status, `a lost reply means customer-service is unavailable to order-service: expected 503, got ${show(answer)}`).toBe(503);
    expect(await mesh.storedOrders(customerId), 'order-service did not get an answer, so it stored no order').toBe(0);
    // The inconsistency the later labs remove: two databases, two transactions, no atomicity between them.
    expect((await mesh.customer(customerId)).creditReserved, 'customer-service committed the reservation before it died').toBe(700);
    console.info('lab 01: credit reserved for an order that was never created: 700 cents held by customer-service, 0 orders in order-service');
  });

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
