import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { Mesh, show } from './mesh.ts';

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
    const answer = await mesh.createOrder(customerId, 1_500);
    expect(answer.status, `an order above the credit limit should be refused with 422; it answered ${show(answer)}`).toBe(422);
    expect(String(answer.body.error), 'the error message should name the credit limit (1000)').toContain('1000');
    expect(answer.body.limit, 'the error body should carry the limit as `limit`').toBe(1_000);
    expect(await mesh.storedOrders(customerId), 'a refused order must not be stored').toBe(0);
    expect((await mesh.customer(customerId)).creditReserved, 'a refused order must not hold credit').toBe(0);
  });

  test('when the customer does not exist, then order-service answers 422 naming the customer id', async () => {
    const customerId = randomUUID();
    const answer = await mesh.createOrder(customerId, 100);
    expect(answer.status, `an order for an unknown customer should be refused with 422; it answered ${show(answer)}`).toBe(422);
    expect(String(answer.body.error), 'the error message should name the unknown customer id').toContain(customerId);
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
