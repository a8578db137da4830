import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { connectBroker, type Broker } from '../platform/messaging.ts';
import { eventually } from './eventually.ts';
import { startTap } from './message-tap.ts';
import { createNamespace, type Namespace } from './namespace.ts';
import { WorldBroker } from './world-broker.ts';

let ns: Namespace;
let broker: Broker;
let world: WorldBroker;
let reader: ChannelModel;
const exchange = 'order-events';
const queue = 'customer-service.order-events';

beforeAll(async () => {
  ns = await createNamespace('wbroker');
  broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'order-service', logger: createLogger('world-broker-test', 'silent') });
  await broker.declareTopology({ exchanges: [exchange], queues: [{ name: queue, bindings: [{ exchange, pattern: '#' }] }] });
  world = new WorldBroker(ns);
  reader = await connect(ns.amqpUrl);
});
afterAll(async () => {
  await reader?.close().catch(() => {});
  await world?.close();
  await broker?.deleteTopology();
  await broker?.close();
  await ns?.drop();
});

const depth = async (name: string) => (await world.queueDepths())?.find((q) => q.queue === `${ns.id}.${name}`)?.ready;

describe('the world’s broker', () => {
  test('when a message waits in a queue, then its depth says so at once, and dead-letter queues are not counted', async () => {
    const names = (await world.queueDepths())?.map((q) => q.queue);
    expect(names, 'the main and retry queues of the namespace, not the dead-letter one').toEqual(expect.arrayContaining([`${ns.id}.${queue}`, `${ns.id}.${queue}.retry`]));
    expect(names).not.toContain(`${ns.id}.${queue}.dead`);
    expect(await depth(queue)).toBe(0);

    await world.publish(exchange, 'OrderCreated.1', JSON.stringify({ n: 1 }), { messageId: randomUUID(), type: 'OrderCreated' });
    // A passive declare answers the count as it is now: no waiting for the management API's statistics.
    expect(await depth(queue)).toBe(1);

    // A consumer holding the message unacknowledged takes it out of the ready count: the blind spot the
    // quiet window of whileProgressing covers.
    const channel = await reader.createChannel();
    const held = await channel.get(`${ns.id}.${queue}`, { noAck: false });
    expect(held).not.toBe(false);
    expect(await depth(queue)).toBe(0);
    channel.ack(held as Exclude<typeof held, false>);
    await channel.close();
  });

  test('when a publish reaches no queue, then it fails instead of vanishing', async () => {
    const other = `nowhere_${randomUUID().slice(0, 8)}`;
    await broker.declareTopology({ exchanges: [other], queues: [] });
    await expect(world.publish(other, 'OrderCreated.1', '{}', { messageId: randomUUID(), type: 'OrderCreated' })).rejects.toThrow(/no queue is bound/);
  });

  test('when tapped messages are redelivered, then each arrives again with the same id, type, headers and body', async () => {
    const tap = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: [exchange] });
    try {
      const id = randomUUID();
      await broker.publishMany(exchange, [{ id, type: 'OrderCreated', key: 'k1', payload: { orderId: 'k1', total: 5 } }]);
      const original = await tap.waitFor((m) => m.id === id);
      await world.redeliver([original]);
      await eventually(() => tap.messages.filter((m) => m.id === id).length === 2, { description: 'the copy to cross the exchange' });
      const [first, copy] = tap.messages.filter((m) => m.id === id);
      expect(copy).toMatchObject({ type: first!.type, routingKey: first!.routingKey, body: first!.body, headers: first!.headers, service: 'order-service' });
    } finally {
      await tap.stop();
    }
  });
});
