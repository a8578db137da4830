import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { expectConsistent } from './consistency.ts';
import { SagaWorld } from './world.ts';

let world: SagaWorld;
const orders: string[] = [];
beforeAll(async () => {
  // One consumer in customer-service: messages are handled in the order they arrive, which the duplicate
  // test relies on. Concurrency has its own test file.
  world = await SagaWorld.start({ consumers: 1 });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('03', () => world?.timeline);

describe('lab 03: the Create Order saga, by choreography', () => {
  test('when the customer has enough credit, then the order is accepted with 202 and ends APPROVED with the credit reserved', async () => {
    const customerId = await world.createCustomer(10_000);
    const id = await world.acceptedOrder(customerId, 2_500);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state, `the order ended ${order.state}${order.rejectionReason ? ` (${order.rejectionReason})` : ''}`).toBe('APPROVED');
    expect((await world.customer(customerId)).creditReserved).toBe(2_500);
  });

  test('when the order exceeds the credit limit, then it ends REJECTED and no credit is held', async () => {
    const customerId = await world.createCustomer(1_000);
    const id = await world.acceptedOrder(customerId, 1_500);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state, 'an order above the credit limit must be rejected, and only once customer-service has answered').toBe('REJECTED');
    expect(order.rejectionReason ?? '', 'the rejection reason should name the credit limit').toContain('1000');
    expect((await world.customer(customerId)).creditReserved).toBe(0);
  });

  test('when the customer does not exist, then the order ends REJECTED', async () => {
    const id = await world.acceptedOrder(randomUUID(), 100);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state).toBe('REJECTED');
    expect(order.rejectionReason ?? '').toContain('does not exist');
  });

  test('when an approved order is cancelled, then its credit is released', async () => {
    const customerId = await world.createCustomer(5_000);
    const id = await world.acceptedOrder(customerId, 1_200);
    orders.push(id);
    expect((await world.settled(id)).state).toBe('APPROVED');
    const cancelled = await world.cancelOrder(id);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await eventually(async () => (await world.customer(customerId)).creditReserved === 0, { description: 'the cancelled order’s credit to be released' });
  });

  test('when events are delivered twice, then nothing changes a second time', async () => {
    const customerId = await world.createCustomer(10_000);
    const first = await world.acceptedOrder(customerId, 300);
    orders.push(first);
    expect((await world.settled(first)).state).toBe('APPROVED');
    // Redeliver the saga's events exactly as they crossed the broker: same message ids, same bodies.
    const ofOrder = world.tap.messages.filter((m) => (m.body as { orderId?: string }).orderId === first);
    expect(ofOrder.map((m) => m.type).sort()).toEqual(['CreditReserved', 'OrderCreated']);
    await world.world.broker.redeliver([...ofOrder, ...ofOrder]);
    // A later order of the same customer: customer-service handles its queue in order, so once this one is
    // approved, the copies before it have been handled.
    const sentinel = await world.acceptedOrder(customerId, 1);
    orders.push(sentinel);
    expect((await world.settled(sentinel)).state).toBe('APPROVED');
    expect((await world.customer(customerId)).creditReserved, 'a redelivered OrderCreated must not reserve the credit again').toBe(301);
    expect((await world.order(first)).state).toBe('APPROVED');
  });

  test('when the input is invalid, then POST /orders answers 400 naming the field', async () => {
    const answer = await world.createOrder('nope', 5);
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe('customerId');
  });

  test('when every test is done, then every saga ended and reserved credit equals the approved orders', async () => {
    await expectConsistent(world, orders);
  });
});
