import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { percentile } from '#shared/bench/stats.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { deliveryOf, eventsOf, histories, type Event } from './model.ts';
import { DECLINED_TOTAL, idsOf, ViewWorld } from './world.ts';

let world: ViewWorld;
beforeAll(async () => {
  world = await ViewWorld.start();
  await world.ready();
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('07', () => world?.world.timeline);

const newId = () => crypto.randomUUID();

describe('lab 07: the view through the real logs, database and broker', () => {
  test('when the credit limit changes before the customer was created (CustomerCreditLimitChanged arrives first), then the view ends with the new limit and the customer’s name', async () => {
    const customerId = newId();
    const created: Event = { log: 'customer-service', id: newId(), type: 'CustomerCreated', payload: { customerId, name: 'Grace Hopper', creditLimit: 1_000, version: 1 } };
    const raised: Event = { log: 'customer-service', id: newId(), type: 'CustomerCreditLimitChanged', payload: { customerId, creditLimit: 9_000, version: 2 } };
    await world.publish([raised, created]);
    const customer = await eventually(
      async () => {
        const { status, body } = await world.call('order-history-service', 'GET', `/customers/${customerId}/orders`);
        return status === 200 && (body.customer as { name: string | null }).name !== null ? (body.customer as Record<string, unknown>) : false;
      },
      { timeoutMs: 10_000, description: 'the view to know the customer by name (GET /customers/:id/orders)' },
    );
    expect(customer, 'the creation arrived last: it must bring the name, and must not put its older limit back').toMatchObject({ name: 'Grace Hopper', creditLimit: 9_000 });
  });

  test('when a command answers a position, then a query given it sees the write (read your writes), and the lag from command to view is measured', async () => {
    const created = await world.call('customer-service', 'POST', '/customers', { name: 'Edsger Dijkstra', creditLimit: 50_000 });
    expect(created.status).toBe(201);
    const customerId = created.body.id as string;
    const seen = await world.call('order-history-service', 'GET', `/customers/${customerId}/orders?after=${created.body.position as string}&waitMs=5000`);
    expect(seen.status, `GET /customers/:id/orders?after=<position> must wait until the view shows the customer: ${JSON.stringify(seen.body)}`).toBe(200);
    expect(seen.body).toMatchObject({ caughtUp: true, customer: { name: 'Edsger Dijkstra', creditLimit: 50_000 } });

    const changed = await world.call('customer-service', 'PUT', `/customers/${customerId}/credit-limit`, { creditLimit: 70_000 });
    const afterChange = await world.call('order-history-service', 'GET', `/customers/${customerId}/orders?after=${changed.body.position as string}&waitMs=5000`);
    expect(afterChange.body, 'the query given the change’s position showed an older limit').toMatchObject({ caughtUp: true, customer: { creditLimit: 70_000 } });

    const lags: number[] = [];
    const orderIds: string[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      const placed = await world.call('order-flow-service', 'POST', '/orders', { customerId, total: i === 7 ? DECLINED_TOTAL : 100 + i, description: `lunch number ${i}` });
      expect(placed.status).toBe(201);
      const read = await world.call('order-history-service', 'GET', `/orders/${placed.body.id as string}?after=${placed.body.position as string}&waitMs=5000`);
      lags.push(performance.now() - started);
      expect(read.status, `GET /orders/:id?after=<position> right after the order was placed: ${JSON.stringify(read.body)}`).toBe(200);
      expect(read.body).toMatchObject({ caughtUp: true, customerId, description: `lunch number ${i}` });
      orderIds.push(placed.body.id as string);
    }
    console.log(`lab 07: command → visible in the view (read-your-writes wait), 30 orders: p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms`);

    const ids = new Set([customerId, ...orderIds]);
    await world.converged(ids);
    const { body } = await world.call('order-history-service', 'GET', `/customers/${customerId}/orders`);
    expect(body.customer).toMatchObject({ orderCount: 30 });
    const found = await world.call('order-history-service', 'GET', '/orders?q=lunch%20number%207');
    expect(found.status).toBe(200);
    expect((found.body.orders as Array<{ orderId: string; state: string }>).find((o) => o.orderId === orderIds[7]), 'full-text search for the declined order’s description').toMatchObject({ state: 'REJECTED', payment: 'DECLINED', ticket: 'REJECTED' });
  });

  test('when generated histories are published shuffled with duplicates, then the view shows what each aggregate’s newest event says (fast-check, through the database)', async () => {
    const runs = fc.sample(
      histories.chain((h) => {
        const events = eventsOf(h);
        return fc.tuple(fc.constant(events), deliveryOf(events));
      }),
      { numRuns: 8 },
    );
    const ids = new Set<string>();
    for (const [events, delivered] of runs) {
      for (const id of idsOf(events)) ids.add(id);
      await world.publish(delivered);
    }
    await world.converged(ids);
  });

  test('when a log holds an entry the view cannot read (not JSON, an unknown type), then it is set aside and the entries after it are still applied', async () => {
    const customerId = newId();
    const broken = { id: newId(), type: 'CustomerCreated' };
    const unknown = { id: newId(), type: 'CustomerRenamed' };
    await world.world.broker.publish('customer-service.events', `CustomerCreated.${customerId}`, '{not json', { messageId: broken.id, type: broken.type });
    await world.world.broker.publish('customer-service.events', `CustomerRenamed.${customerId}`, JSON.stringify({ customerId }), { messageId: unknown.id, type: unknown.type });
    await world.publish([{ log: 'customer-service', id: newId(), type: 'CustomerCreated', payload: { customerId, name: 'Alan Turing', creditLimit: 10, version: 1 } }]);
    await eventually(async () => (await world.call('order-history-service', 'GET', `/customers/${customerId}/orders`)).status === 200, { timeoutMs: 10_000, description: 'the customer after two unreadable entries to be applied' });
    const rejected = await world.world.query<{ message_id: string }>('order_history', 'SELECT message_id FROM rejected_entries WHERE message_id = ANY($1)', [[broken.id, unknown.id]]);
    expect(rejected.map((r) => r.message_id).sort(), 'each unreadable entry is recorded in rejected_entries').toEqual([broken.id, unknown.id].sort());
  });

  test('when a query is malformed, then the view answers 400 naming the field', async () => {
    const badId = await world.call('order-history-service', 'GET', '/orders/not-an-id');
    expect(badId).toMatchObject({ status: 400, body: { field: 'id' } });
    const badPosition = await world.call('order-history-service', 'GET', `/orders/${newId()}?after=yesterday`);
    expect(badPosition).toMatchObject({ status: 400, body: { field: 'after' } });
  });
});
