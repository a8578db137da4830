import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { eventually } from '../../harness/eventually.ts';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { createLogger } from '../log.ts';
import { connectBroker, prefixed, queueNames, type Broker, type Delivered } from '../messaging.ts';

let ns: Namespace;
const brokers: Broker[] = [];
const logger = createLogger('concurrency-test', process.env.LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  ns = await createNamespace('concurrency');
});
afterEach(async () => {
  for (const broker of brokers.splice(0)) await broker.close();
});
afterAll(async () => {
  await ns?.drop();
});

async function brokerWithQueue(queue: { retryDelayMs?: number } = {}) {
  const broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'concurrency-test', logger });
  brokers.push(broker);
  const suffix = randomUUID().slice(0, 8);
  const names = { exchange: `orders_${suffix}`, queue: `billing_${suffix}` };
  await broker.declareTopology({ exchanges: [names.exchange], queues: [{ name: names.queue, bindings: [{ exchange: names.exchange, pattern: 'OrderStep.#' }], ...queue }] });
  return { broker, ...names };
}

const OrderStep = z.object({ seq: z.number() });
const step = (orderId: string, seq: number) => ({ id: randomUUID(), type: 'OrderStep', key: orderId, payload: { seq } });

/**
 * Resolves true once `count` handlers arrived, false if that does not happen within the deadline. Handlers
 * that all get past it were running at the same moment: overlap proven by a meeting, not by timing. (The
 * deadline only keeps a consumer that handles one at a time from waiting forever.)
 */
function meeting(count: number, deadlineMs = 3_000) {
  let arrived = 0;
  let everyone!: () => void;
  const all = new Promise<void>((resolve) => (everyone = resolve));
  return (): Promise<boolean> => {
    arrived += 1;
    if (arrived === count) everyone();
    return Promise.race([all.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs))]);
  };
}

describe('messaging: concurrent consumers, partitioned by key', () => {
  test('when the concurrency is 4, then handlers of four different keys run at the same time', async () => {
    const { broker, exchange, queue } = await brokerWithQueue();
    const arrive = meeting(4);
    const met: boolean[] = [];
    await broker.consume(queue, async () => void met.push(await arrive()), { schema: OrderStep, concurrency: 4 });

    await broker.publishMany(exchange, [randomUUID(), randomUUID(), randomUUID(), randomUUID()].map((orderId) => step(orderId, 0)));
    await broker.waitFor('acked', 4, 10_000);

    expect(met).toEqual([true, true, true, true]);
  });

  test('when one key has many messages under concurrency 4, then they are handled one at a time, in publish order', async () => {
    const { broker, exchange, queue } = await brokerWithQueue();
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    // The first step of each order waits until all three are running. Meanwhile the second steps are already
    // delivered (prefetch) and a slot is free: a consumer that ignored keys would start them now.
    const firstStepsMeet = meeting(orders.length);
    const seen = new Map<string, number[]>(orders.map((orderId) => [orderId, []]));
    const runningByKey = new Map<string, number>();
    let running = 0;
    let mostAtOnce = 0;
    const sameKeyOverlaps: string[] = [];
    await broker.consume(
      queue,
      async (message) => {
        const key = message.key!;
        if ((runningByKey.get(key) ?? 0) > 0) sameKeyOverlaps.push(`${key} step ${message.payload.seq}`);
        runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        if (message.payload.seq === 0) expect(await firstStepsMeet()).toBe(true);
        // A different number of turns of the event loop per message, so handlers finish out of step.
        for (let i = 0; i < (message.payload.seq * 7 + key.charCodeAt(0)) % 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
        seen.get(key)!.push(message.payload.seq);
        running -= 1;
        runningByKey.set(key, runningByKey.get(key)! - 1);
      },
      { schema: OrderStep, concurrency: 4 },
    );

    const steps = Array.from({ length: 10 }, (_, seq) => orders.map((orderId) => step(orderId, seq))).flat();
    await broker.publishMany(exchange, steps);
    await broker.waitFor('acked', steps.length, 15_000);

    expect(sameKeyOverlaps).toEqual([]);
    for (const orderId of orders) expect(seen.get(orderId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(mostAtOnce).toBeLessThanOrEqual(4);
    expect(broker.count('retried')).toBe(0);
  });

  test('when a concurrent consumer with retries is cancelled mid-stream and another takes over, then every message is handled once and none is lost', async () => {
    const { broker, exchange, queue } = await brokerWithQueue({ retryDelayMs: 20 });
    const succeeded: string[] = [];
    const failedOnce = new Set<string>();
    const handler = async (message: Delivered<z.infer<typeof OrderStep>>) => {
      await new Promise((resolve) => setImmediate(resolve));
      // Every seventh message fails its first attempt and comes back through the retry queue.
      if (message.payload.seq % 7 === 0 && message.attempt === 1) {
        failedOnce.add(message.id);
        throw new Error('briefly unavailable');
      }
      succeeded.push(message.id);
    };
    const first = await broker.consume(queue, handler, { schema: OrderStep, concurrency: 4 });
    const orders = Array.from({ length: 10 }, () => randomUUID());
    const messages = Array.from({ length: 20 }, (_, seq) => orders.map((orderId) => step(orderId, seq))).flat();
    await broker.publishMany(exchange, messages);

    await eventually(() => succeeded.length >= 60, { timeoutMs: 10_000, description: 'the first consumer handled 60 messages' });
    await first.cancel(); // lets the messages in hand finish and be acked
    const second = await broker.consume(queue, handler, { schema: OrderStep, concurrency: 4 });
    await eventually(() => succeeded.length >= messages.length, { timeoutMs: 15_000, description: 'every message was handled' });
    await second.cancel();

    expect([...succeeded].sort()).toEqual(messages.map((m) => m.id).sort()); // each exactly once
    expect(failedOnce.size).toBe(orders.length * 3); // seq 0, 7 and 14 of each order
    expect(broker.count('acked')).toBe(messages.length);
    expect(broker.count('dead-lettered')).toBe(0);
    // Nothing left behind: after both consumers stopped, any unacked message would be back in its queue.
    const connection = await amqp.connect(ns.amqpUrl);
    try {
      const channel = await connection.createChannel();
      for (const name of Object.values(queueNames(prefixed(ns.id, queue)))) expect((await channel.checkQueue(name)).messageCount, name).toBe(0);
    } finally {
      await connection.close();
    }
  });

  test('when the prefetch is below the concurrency, then consume refuses to start and says why', async () => {
    const { broker, queue } = await brokerWithQueue();
    await expect(broker.consume(queue, () => {}, { concurrency: 4, prefetch: 2 })).rejects.toThrow(/prefetch \(2\) must be at least the concurrency \(4\)/);
  });
});
