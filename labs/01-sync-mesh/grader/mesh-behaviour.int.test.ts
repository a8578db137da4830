import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failCommitsOf, sqlLiteral } from '#shared/harness/db-faults.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { CUSTOMER_TIMEOUT_MS, Mesh, show, type HttpAnswer } from './mesh.ts';

// Lab 01's checks on one pair of services: first what order-service answers for each outcome of the call,
// then the lesson: with a synchronous call, order-service can only be as available as customer-service,
// and a crash between the two services' writes leaves them disagreeing. (The flapping measurement runs
// beside this file, in availability.int.test.ts.)
let mesh: Mesh;
beforeAll(async () => {
  mesh = await Mesh.start();
});
afterAll(async () => {
  await mesh?.stop();
});
writeTimelineOnFailure('01', () => mesh?.timeline);

describe('lab 01: order-service maps what customer-service answers', () => {
  test('when the customer has enough credit, then the order is created APPROVED and the credit is reserved', async () => {
    const customerId = await mesh.createCustomer(10_000);
    const answer = await mesh.createOrder(customerId, 2_500);
    expect(answer.status, `POST /orders for a customer with enough credit should answer 201; it answered ${show(answer)}`).toBe(201);
    expect(answer.body.state, 'the created order should be APPROVED').toBe('APPROVED');
    const order = await mesh.call('order-service', 'GET', `/orders/${String(answer.body.id)}`);
    expect(order.status, `GET /orders/:id should find the order just created; it answered ${show(order)}`).toBe(200);
    expect((await mesh.customer(customerId)).creditReserved, 'customer-service should hold the order total as reserved credit').toBe(2_500);
  });

  test('when the order exceeds the credit limit, then order-service answers 422 naming the limit and stores nothing', async () => {
    const customerId = await mesh.createCustomer(1_000);
    // 300 already held, so that what is left (700) differs from the limit (1000) and the body must say both.
    expect((await mesh.createOrder(customerId, 300)).status, 'an order of 300 within a limit of 1000 should be created').toBe(201);
    const answer = await mesh.createOrder(customerId, 800);
    expect(answer.status, `an order above the credit left should be refused with 422; it answered ${show(answer)}`).toBe(422);
    expect(String(answer.body.error), 'the error message should name the credit limit (1000)').toContain('1000');
    expect(answer.body.limit, 'the error body should carry the limit as `limit`, as customer-service said it').toBe(1_000);
    expect(answer.body.available, 'the error body should carry the credit still available (700 of 1000) as `available`, as customer-service said it').toBe(700);
    expect(await mesh.storedOrders(customerId), 'a refused order must not be stored (only the first order is)').toBe(1);
    expect((await mesh.customer(customerId)).creditReserved, 'a refused order must not hold credit').toBe(300);
  });

  test('when the customer does not exist, then order-service answers 422 naming the customer id', async () => {
    const customerId = randomUUID();
    const answer = await mesh.createOrder(customerId, 100);
    expect(answer.status, `an order for an unknown customer should be refused with 422; it answered ${show(answer)}`).toBe(422);
    expect(String(answer.body.error), 'the error message should name the unknown customer id').toContain(customerId);
    expect(await mesh.storedOrders(customerId), 'an order for an unknown customer must not be stored').toBe(0);
  });

  test('when customer-service fails with a 500, then order-service answers 503 and neither service keeps anything', async () => {
    const customerId = await mesh.createCustomer(10_000);
    // customer-service's reservation for this customer fails at commit: it answers 500, and holds nothing.
    const fault = await failCommitsOf(mesh.world, 'customers', { table: 'credit_reservations', when: `NEW.customer_id = ${sqlLiteral(customerId)}` });
    let answer: HttpAnswer;
    try {
      answer = await mesh.createOrder(customerId, 400);
      expect(await fault.fired(), 'the grader’s fault never tripped: does order-service call customer-service to reserve the credit?').toBeGreaterThan(0);
    } finally {
      await fault.remove();
    }
    expect(answer.status, `customer-service failed (500): that says nothing about the order, only that the call failed, so order-service should answer 503; it answered ${show(answer)}. Map every status you do not expect to 'unavailable'`).toBe(503);
    expect(await mesh.storedOrders(customerId), 'an order whose credit was never reserved must not be stored').toBe(0);
    expect((await mesh.customer(customerId)).creditReserved).toBe(0);
  });

  test('when the input is invalid, then order-service answers 400 naming the field and calls nobody', async () => {
    const answer = await mesh.createOrder('not-a-uuid', 100);
    expect(answer.status, show(answer)).toBe(400);
    expect(answer.body.field).toBe('customerId');
    const negative = await mesh.createOrder(randomUUID(), -5);
    expect(negative.status, show(negative)).toBe(400);
    expect(negative.body.field).toBe('total');
  });
});

describe('lab 01: runtime coupling', () => {
  test('when customer-service is stopped, then creating an order fails fast with 503', async () => {
    const customerId = await mesh.createCustomer(10_000);
    // Connections kept alive from earlier calls are closed first, so that every attempt opens a new one and
    // the proxy can count it.
    mesh.proxy.cut();
    await mesh.killCustomerService();
    try {
      const before = mesh.proxy.stats;
      const connectionsBefore = before.accepted + before.refused;
      const answer = await mesh.createOrder(customerId, 100);
      const after = mesh.proxy.stats;
      const attempts = after.accepted + after.refused - connectionsBefore;
      expect(answer.status, `with customer-service down, order-service should answer 503 (unavailable); it answered ${show(answer)}`).toBe(503);
      expect(answer.ms, 'a refused connection is known at once: answer without waiting for the timeout, and without retrying').toBeLessThan(CUSTOMER_TIMEOUT_MS);
      // A retry on a refused connection is quick, so the time alone does not show it: count the connections.
      expect(attempts, `order-service tried to reach customer-service ${attempts} times for one order: a service that is down stays down for the next attempt, and a hidden retry only adds load and hides the outage`).toBeLessThanOrEqual(1);
    } finally {
      await mesh.restartCustomerService();
    }
    expect(await mesh.storedOrders(customerId)).toBe(0);
  });

  test('when customer-service is slower than the timeout, then order-service gives up and answers 503', async () => {
    const customerId = await mesh.createCustomer(10_000);
    mesh.proxy.setLatency(CUSTOMER_TIMEOUT_MS * 5);
    const connectionsBefore = mesh.proxy.stats.accepted;
    let answer: HttpAnswer;
    try {
      answer = await mesh.createOrder(customerId, 100, CUSTOMER_TIMEOUT_MS * 4);
    } finally {
      mesh.proxy.setLatency(0);
    }
    const attempts = mesh.proxy.stats.accepted - connectionsBefore;
    expect(
      answer.status,
      `order-service should stop waiting after CUSTOMER_TIMEOUT_MS (${CUSTOMER_TIMEOUT_MS} ms) and answer 503; it answered ${show(answer)}. ` +
        'Does the call to customer-service have a timeout?',
    ).toBe(503);
    expect(attempts, `order-service called customer-service ${attempts} times for one order: a hidden retry multiplies the time its client waits (and the load on a service already struggling)`).toBeLessThanOrEqual(1);
    expect(answer.ms, `order-service answered after ${answer.ms} ms: one call with a deadline of ${CUSTOMER_TIMEOUT_MS} ms should fail within it (plus a little)`).toBeLessThan(2 * CUSTOMER_TIMEOUT_MS);
    expect(await mesh.storedOrders(customerId), 'an order whose call timed out must not be stored').toBe(0);
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
});

