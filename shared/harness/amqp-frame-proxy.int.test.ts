import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startAmqpFrameProxy, type AmqpFrameProxy } from './amqp-frame-proxy.ts';
import { createNamespace, type Namespace } from './namespace.ts';
import { createLogger } from '../platform/log.ts';
import { UnroutableError, connectBroker, type Broker } from '../platform/messaging.ts';

let ns: Namespace;
let proxy: AmqpFrameProxy;
let broker: Broker;

beforeAll(async () => {
  ns = await createNamespace('afp');
  const url = new URL(ns.amqpUrl);
  proxy = await startAmqpFrameProxy({ host: url.hostname, port: Number(url.port || 5672) });
  url.port = String(proxy.port);
  broker = await connectBroker({ url: url.toString(), prefix: ns.id, service: 'frame-proxy-test', logger: createLogger('frame-proxy-test', 'silent') });
});
afterAll(async () => {
  await broker?.deleteTopology().catch(() => {});
  await broker?.close();
  await proxy?.close();
  await ns?.drop();
});

const numberOf = (body: Buffer) => (JSON.parse(body.toString()) as { n: number }).n;

/** A fresh exchange with one queue bound to it, and the numbers its consumer received, in order. */
async function numberedFlow(): Promise<{ exchange: string; received: number[] }> {
  const exchange = `events_${randomUUID().slice(0, 8)}`;
  const queue = `all_${randomUUID().slice(0, 8)}`;
  await broker.declareTopology({ exchanges: [exchange], queues: [{ name: queue, bindings: [{ exchange, pattern: '#' }] }] });
  const received: number[] = [];
  await broker.consume(queue, (message) => void received.push((message.payload as { n: number }).n));
  return { exchange, received };
}

test('when a publish is failed at a named message, then RabbitMQ returns it, and every answer waits for the publish that releases them', async () => {
  const { exchange, received } = await numberedFlow();

  const fault = proxy.failPublish({ fail: (p) => numberOf(p.body) === 1, release: (p) => numberOf(p.body) === 3 });
  const settled: string[] = [];
  const send = (n: number) =>
    broker.publish(exchange, { id: randomUUID(), type: 'Numbered', key: 'k', payload: { n } }).then(
      () => void settled.push(`${n} confirmed`),
      (error: unknown) => void settled.push(`${n} ${error instanceof UnroutableError ? 'returned' : 'failed'}`),
    );
  const first = send(1);
  expect(numberOf((await fault.failed).body)).toBe(1);
  const second = send(2);
  const third = send(3);
  const releasedBy = await fault.released;
  expect(releasedBy && numberOf(releasedBy.body)).toBe(3);
  // Released synchronously by the proxy, in this process: the client has not read any answer yet.
  expect(settled, 'an answer reached the client while the proxy held them').toEqual([]);
  await Promise.all([first, second, third]);
  expect(settled).toEqual(['1 returned', '2 confirmed', '3 confirmed']);
  await expect.poll(() => received, { timeout: 5_000 }).toEqual([2, 3]);
});

test('when answers are held from a named publish on, then RabbitMQ confirms what follows too, and the client hears of it only once released', async () => {
  const { exchange, received } = await numberedFlow();

  const held = proxy.holdAnswers({ from: (p) => numberOf(p.body) === 1 });
  const settled: number[] = [];
  const send = (n: number) => broker.publish(exchange, { id: randomUUID(), type: 'Numbered', key: 'k', payload: { n } }).then(() => void settled.push(n));
  const sent = [send(1), send(2)];
  expect(numberOf((await held.started).body)).toBe(1);
  const second = await held.answered((p) => numberOf(p.body) === 2);
  expect(second.deliveryTag).toBe((await held.started).deliveryTag + 1);
  expect(held.published((p) => numberOf(p.body) === 2)).toBe(true);
  // RabbitMQ confirmed both and delivered them; the client knows nothing of it yet.
  await expect.poll(() => received, { timeout: 5_000 }).toEqual([1, 2]);
  expect(settled).toEqual([]);
  held.release();
  await Promise.all(sent);
  expect(settled).toEqual([1, 2]);
});
