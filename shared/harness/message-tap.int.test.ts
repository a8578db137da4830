import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { connectBroker, type Broker } from '../platform/messaging.ts';
import { startTap } from './message-tap.ts';
import { createNamespace, type Namespace } from './namespace.ts';
import { Timeline } from './timeline.ts';

let ns: Namespace;
let broker: Broker;
beforeAll(async () => {
  ns = await createNamespace('tap');
  broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'order-service', logger: createLogger('tap-test', 'silent') });
});
afterAll(async () => {
  await broker?.deleteTopology();
  await broker?.close();
  await ns?.drop();
});

describe('message tap', () => {
  test('when a service publishes, then the tap records each message with its publisher and draws it on the timeline', async () => {
    const exchange = `orders_${randomUUID().slice(0, 8)}`;
    await broker.declareTopology({ exchanges: [exchange], queues: [] });
    const timeline = new Timeline();
    const tap = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: [exchange], timeline });
    try {
      const orderId = randomUUID();
      const created = { id: randomUUID(), type: 'OrderCreated', key: orderId, payload: { orderId, total: 10 } };
      const approved = { id: randomUUID(), type: 'OrderApproved', key: orderId, payload: { orderId } };
      await broker.publishMany(exchange, [created, approved]);

      const seen = await tap.waitFor((m) => m.id === approved.id);
      expect(seen).toMatchObject({ exchange, routingKey: `OrderApproved.${orderId}`, type: 'OrderApproved', body: { orderId }, service: 'order-service' });
      expect(tap.messages.map((m) => m.id)).toEqual([created.id, approved.id]);
      expect(tap.count('OrderCreated')).toBe(1);
      expect(timeline.entries.map((e) => `${e.from} -> ${e.to}: ${e.label}`)).toEqual([
        // The label names the type and the start of the key, enough to follow one aggregate in a diagram.
        `order-service -> ${exchange}: OrderCreated ${orderId.slice(0, 8)}`,
        `order-service -> ${exchange}: OrderApproved ${orderId.slice(0, 8)}`,
      ]);
    } finally {
      await tap.stop();
    }
  });

  test('when the awaited message never comes, then waitFor rejects and says what the tap did see', async () => {
    const exchange = `orders_${randomUUID().slice(0, 8)}`;
    await broker.declareTopology({ exchanges: [exchange], queues: [] });
    const tap = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: [exchange] });
    try {
      await broker.publish(exchange, { id: randomUUID(), type: 'OrderCreated', payload: {} });
      await tap.waitFor((m) => m.type === 'OrderCreated');
      await expect(tap.waitFor((m) => m.type === 'OrderRejected', 200)).rejects.toThrow(/saw 1 message\(s\); types: OrderCreated/);
    } finally {
      await tap.stop();
    }
  });
});
