import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { eventually } from '#shared/harness/eventually.ts';
import { startAmqpFrameProxy } from '#shared/harness/amqp-frame-proxy.ts';
import { startFaultProxy, type FaultProxy } from '#shared/harness/fault-proxy.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { createLogger } from '#shared/platform/log.ts';
import { BrokerUnavailableError, HEADER, PublishManyError, UnroutableError, connectBroker, prefixed, queueNames, type Broker, type BrokerOptions, type Delivered } from '#shared/platform/messaging.ts';

// One namespace (prefix) for the file, one Broker per test (its event counts start at zero), and fresh
// exchange and queue names in every test.
let ns: Namespace;
let raw: ChannelModel;
const brokers: Broker[] = [];
const logger = createLogger('messaging-test', process.env.LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  ns = await createNamespace('msg');
  raw = await amqp.connect(ns.amqpUrl, { noDelay: true });
});
const proxies: FaultProxy[] = [];
afterEach(async () => {
  for (const broker of brokers.splice(0)) {
    await broker.deleteTopology().catch(() => {});
    await broker.close();
  }
  // After the brokers: closing a proxy first would cut their connections and set them reconnecting.
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(async () => {
  await raw?.close();
  // What a failed test's afterEach could not delete (nothing of a namespace expires on its own).
  await ns?.drop();
});

/** A Broker whose connection to RabbitMQ runs through a fault proxy, reconnecting quickly. */
async function newBrokerBehindProxy(): Promise<{ broker: Broker; proxy: FaultProxy }> {
  const url = new URL(ns.amqpUrl);
  const proxy = await startFaultProxy({ target: { host: url.hostname, port: Number(url.port || 5672) } });
  proxies.push(proxy);
  url.port = String(proxy.port);
  const broker = await newBroker({ url: url.toString(), reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
  return { broker, proxy };
}

async function newBroker(options: Partial<BrokerOptions> = {}): Promise<Broker> {
  const broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'order-service', logger, ...options });
  brokers.push(broker);
  return broker;
}

/** Fresh names, and one exchange with one queue bound to `OrderCreated.#`. */
async function orderTopology(broker: Broker, queue: { retryDelayMs?: number; maxAttempts?: number } = {}) {
  const suffix = randomUUID().slice(0, 8);
  const names = { exchange: `orders_${suffix}`, queue: `billing_${suffix}` };
  await broker.declareTopology({
    exchanges: [names.exchange],
    queues: [{ name: names.queue, bindings: [{ exchange: names.exchange, pattern: 'OrderCreated.#' }], ...queue }],
  });
  return names;
}

const OrderCreated = z.object({ orderId: z.string(), total: z.number() });
const orderCreated = (orderId = randomUUID()) => ({ id: randomUUID(), type: 'OrderCreated', key: orderId, payload: { orderId, total: 10 } });

/** Reads one message straight from a queue (the dead-letter queue, say), on a throwaway channel. */
async function takeOne(queue: string) {
  const channel: Channel = await raw.createChannel();
  try {
    const message = await channel.get(prefixed(ns.id, queue), { noAck: true });
    if (!message) throw new Error(`queue ${queue} is empty`);
    return message;
  } finally {
    await channel.close();
  }
}

describe('messaging: publish and consume', () => {
  test('when a message is published, then RabbitMQ confirms it and the consumer gets the whole envelope', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker);
    const received: Array<Delivered<z.infer<typeof OrderCreated>>> = [];
    await broker.consume(names.queue, async (message) => void received.push(message), { schema: OrderCreated });

    const message = orderCreated();
    await broker.publish(names.exchange, message);
    expect(broker.count('published')).toBe(1);
    await broker.waitFor('acked', 1);

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ id: message.id, type: 'OrderCreated', key: message.key, payload: message.payload, attempt: 1, queue: names.queue });
    expect(received[0]?.service).toBe('order-service');
  });

  test('when a batch is published, then every message is confirmed and consumed in order', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker);
    const receivedIds: string[] = [];
    await broker.consume(names.queue, (message) => void receivedIds.push(message.id));

    const batch = Array.from({ length: 20 }, () => orderCreated());
    await broker.publishMany(names.exchange, batch);
    expect(broker.count('published')).toBe(20);
    await broker.waitFor('acked', 20);
    expect(receivedIds).toEqual(batch.map((m) => m.id));
  });

  test('when a batch goes to an exchange that does not exist, then publishMany rejects with the ids and the next publish works', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker);
    const batch = [orderCreated(), orderCreated()];

    const failure = await broker.publishMany(`missing_${randomUUID().slice(0, 8)}`, batch).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishManyError);
    expect((failure as PublishManyError).failedIds).toEqual(batch.map((m) => m.id));

    // RabbitMQ closed the publishing channel (404); the Broker opens a new one on the next publish.
    await broker.publish(names.exchange, orderCreated());
    expect(broker.count('published')).toBe(1);
  });

  test('when a message matches no binding, then publish rejects naming the exchange and routing key, and it is counted as returned, not published', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker); // bound to OrderCreated.# only
    const unroutable = { ...orderCreated(), type: 'OrderCancelled' };

    const failure = await broker.publish(names.exchange, unroutable).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnroutableError);
    expect((failure as UnroutableError).message).toContain(`no queue is bound to exchange "${prefixed(ns.id, names.exchange)}" for routing key "OrderCancelled.${unroutable.key}"`);
    const [returned] = await broker.waitFor('returned', 1);
    expect(returned).toEqual({ id: unroutable.id, type: 'OrderCancelled', exchange: names.exchange, routingKey: `OrderCancelled.${unroutable.key}` });
    expect(broker.count('published')).toBe(0);
  });

  test('when some messages of a batch match no binding, then publishMany rejects with exactly their ids and the others are published', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker);
    const receivedIds: string[] = [];
    await broker.consume(names.queue, (message) => void receivedIds.push(message.id));
    const batch = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? { ...orderCreated(), type: 'OrderCancelled' } : orderCreated()));
    const unroutableIds = batch.filter((m) => m.type === 'OrderCancelled').map((m) => m.id);

    const failure = await broker.publishMany(names.exchange, batch).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishManyError);
    expect([...(failure as PublishManyError).failedIds].sort()).toEqual([...unroutableIds].sort());
    expect((failure as PublishManyError).firstError).toBeInstanceOf(UnroutableError);
    expect(broker.count('returned')).toBe(unroutableIds.length);
    expect(broker.count('published')).toBe(batch.length - unroutableIds.length);
    await broker.waitFor('acked', batch.length - unroutableIds.length);
    expect(receivedIds).toEqual(batch.filter((m) => m.type === 'OrderCreated').map((m) => m.id));
  });

  test('when a queue was not declared, then consume refuses to start', async () => {
    const broker = await newBroker();
    await expect(broker.consume(`undeclared_${randomUUID().slice(0, 8)}`, () => {})).rejects.toThrow(/declareTopology/);
  });
});

describe('messaging: retries and dead letters', () => {
  test('when the handler throws once, then the message is retried through the retry queue and then acked', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker, { retryDelayMs: 50 });
    const attempts: number[] = [];
    const keys: Array<string | undefined> = [];
    await broker.consume(names.queue, (message) => {
      attempts.push(message.attempt);
      keys.push(message.key);
      if (message.attempt === 1) throw new Error('database briefly unavailable');
    });

    const message = orderCreated();
    await broker.publish(names.exchange, message);
    const [acked] = await broker.waitFor('acked', 1);

    expect(attempts).toEqual([1, 2]);
    // The key travels in the routing key; the retried copy arrives under the retry queue's name and still has it.
    expect(keys).toEqual([message.key, message.key]);
    expect(acked).toMatchObject({ id: message.id, attempt: 2 });
    const [retried] = await broker.waitFor('retried', 1);
    expect(retried).toMatchObject({ id: message.id, attempt: 1, error: 'database briefly unavailable' });
  });

  test('when the handler keeps failing, then after maxAttempts the message is dead-lettered with the last error', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker, { retryDelayMs: 20, maxAttempts: 3 });
    let calls = 0;
    await broker.consume(names.queue, () => {
      calls += 1;
      throw new Error(`customer service down (call ${calls})`);
    });

    const message = orderCreated();
    await broker.publish(names.exchange, message);
    const [dead] = await broker.waitFor('dead-lettered', 1);

    expect(calls).toBe(3);
    expect(broker.count('retried')).toBe(2);
    expect(broker.count('acked')).toBe(0);
    expect(dead).toMatchObject({ id: message.id, reason: 'max-attempts' });
    const copy = await takeOne(queueNames(names.queue).dead);
    expect(copy.properties.messageId).toBe(message.id);
    expect(copy.properties.headers?.[HEADER.deadReason]).toBe('max-attempts');
    expect(String(copy.properties.headers?.[HEADER.error])).toContain('customer service down (call 3)');
    expect(JSON.parse(copy.content.toString())).toEqual(message.payload);
  });

  test('when a message body is not JSON, then it is dead-lettered at once with the reason and the next message is still handled', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker, { retryDelayMs: 20 });
    const handled: string[] = [];
    await broker.consume(names.queue, (message) => void handled.push(message.id), { schema: OrderCreated });

    const poisonId = randomUUID();
    const channel = await raw.createConfirmChannel();
    channel.publish(prefixed(ns.id, names.exchange), 'OrderCreated.1', Buffer.from('{"orderId": "1", total'), { messageId: poisonId, type: 'OrderCreated' });
    await channel.waitForConfirms();
    await channel.close();
    const good = orderCreated();
    await broker.publish(names.exchange, good);

    const [dead] = await broker.waitFor('dead-lettered', 1);
    await broker.waitFor('acked', 1);
    expect(dead).toMatchObject({ id: poisonId, reason: 'poison' });
    expect(handled).toEqual([good.id]);
    expect(broker.count('retried')).toBe(0);
    const copy = await takeOne(queueNames(names.queue).dead);
    expect(copy.properties.messageId).toBe(poisonId);
    expect(copy.properties.headers?.[HEADER.deadReason]).toBe('poison');
    expect(String(copy.properties.headers?.[HEADER.error])).toMatch(/not valid JSON/);
  });

  test('when a payload fails the schema, then it is dead-lettered at once, never reaching the handler, and the next message is handled', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker, { retryDelayMs: 20 });
    const handled: string[] = [];
    await broker.consume(names.queue, (message) => void handled.push(message.id), { schema: { OrderCreated } });

    const bad = { ...orderCreated(), payload: { orderId: 42 } };
    const good = orderCreated();
    await broker.publishMany(names.exchange, [bad, good]);

    const [dead] = await broker.waitFor('dead-lettered', 1);
    await broker.waitFor('acked', 1);
    expect(dead).toMatchObject({ id: bad.id, reason: 'poison' });
    expect(handled).toEqual([good.id]);
    const copy = await takeOne(queueNames(names.queue).dead);
    expect(String(copy.properties.headers?.[HEADER.error])).toMatch(/does not match the OrderCreated schema/);
  });
});

describe('messaging: connection loss', () => {
  test('when the connection is cut, then the broker reconnects, the consumer resumes and publishing works again', async () => {
    const { broker, proxy } = await newBrokerBehindProxy();
    const names = await orderTopology(broker);
    const handled: string[] = [];
    await broker.consume(names.queue, (message) => void handled.push(message.id));
    const before = orderCreated();
    await broker.publish(names.exchange, before);
    await broker.waitFor('acked', 1);

    // Keep it down for a moment: publish must fail fast, not hang until the connection is back.
    proxy.refuse(true);
    expect(proxy.cut()).toBeGreaterThan(0);
    await broker.waitFor('disconnected', 1);
    await expect(broker.publish(names.exchange, orderCreated())).rejects.toBeInstanceOf(BrokerUnavailableError);
    proxy.refuse(false);

    await broker.waitFor('reconnected', 1);
    const after = orderCreated();
    await broker.publish(names.exchange, after);
    await eventually(() => handled.includes(after.id), { description: 'the message published after the reconnect was handled' });
    // The cut may also have caught the ack of `before` on its way: then `before` comes again (at least once).
    expect(handled.filter((id) => id !== before.id)).toEqual([after.id]);
  });

  test('when the connection drops while a handler runs, then the unacked message is redelivered after the reconnect', async () => {
    const { broker, proxy } = await newBrokerBehindProxy();
    const names = await orderTopology(broker);
    const deliveries: Array<{ id: string; redelivered: boolean }> = [];
    const message = orderCreated();
    let confirmed!: Promise<void>;
    await broker.consume(names.queue, async (delivered) => {
      deliveries.push({ id: delivered.id, redelivered: delivered.redelivered });
      // The effect is done, the ack not yet sent: the moment a crash would hurt most. (Cut only once the
      // publisher has its confirm, which may arrive after the delivery, or the publish would fail instead.)
      if (deliveries.length === 1) {
        await confirmed;
        proxy.cut();
      }
    });

    confirmed = broker.publish(names.exchange, message);
    await confirmed;
    // The first ack went out on the connection the proxy had just cut, so RabbitMQ never got it
    // (acks are not confirmed: the consumer cannot tell). The second is the redelivery's.
    await broker.waitFor('acked', 2);
    expect(deliveries).toEqual([
      { id: message.id, redelivered: false },
      { id: message.id, redelivered: true },
    ]);
  });

  test('when RabbitMQ blocks and unblocks the connection, then the broker logs the reason and counts both', async () => {
    // A real memory alarm would block every publisher of this shared RabbitMQ, so a proxy plays RabbitMQ's
    // part: it hands the client the same connection.blocked and connection.unblocked frames.
    const url = new URL(ns.amqpUrl);
    const proxy = await startAmqpFrameProxy({ host: url.hostname, port: Number(url.port || 5672) });
    url.port = String(proxy.port);
    const lines: Array<{ level: number; msg: string; reason?: string }> = [];
    const capturing = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const broker = await newBroker({ url: url.toString(), logger: capturing });
    try {
      proxy.sendBlocked('low on memory');
      const [blocked] = await broker.waitFor('blocked', 1);
      expect(blocked).toEqual({ reason: 'low on memory' });
      expect(lines.find((line) => line.level === 40 && /blocked this connection/.test(line.msg))?.reason).toBe('low on memory');

      proxy.sendUnblocked();
      await broker.waitFor('unblocked', 1);
      expect(lines.some((line) => /unblocked this connection/.test(line.msg))).toBe(true);
    } finally {
      await broker.close();
      await proxy.close();
    }
  });

  test('when deleteTopology runs, then the queues it declared are gone', async () => {
    const broker = await newBroker();
    const names = await orderTopology(broker);
    await broker.deleteTopology();

    const channel = await raw.createChannel();
    channel.on('error', () => {}); // the 404 below closes this channel, as it should
    await expect(channel.checkQueue(prefixed(ns.id, names.queue))).rejects.toThrow(/NOT_FOUND/);
  });
});
