import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { connectBroker, type Broker, type Delivered } from '../messaging.ts';

let ns: Namespace;
let broker: Broker;
const lines: Array<{ msg: string; queue?: string; stillRunning?: number }> = [];

beforeAll(async () => {
  ns = await createNamespace('stop');
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'stop-test', logger });
});
afterAll(async () => {
  await broker?.deleteTopology().catch(() => {});
  await broker?.close();
  await ns?.drop();
});

/** Resolves true if `promise` settles within `ms`, false if not (a stop that hangs must fail the test, not time it out). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}

describe('messaging: stopping a consumer', () => {
  test('when a handler never settles, then cancel returns after the stop deadline, says so, and the message is redelivered', async () => {
    const suffix = randomUUID().slice(0, 8);
    const exchange = `orders_${suffix}`;
    const queue = `billing_${suffix}`;
    await broker.declareTopology({ exchanges: [exchange], queues: [{ name: queue, bindings: [{ exchange, pattern: 'OrderCreated.#' }] }] });
    const message = { id: randomUUID(), type: 'OrderCreated', key: randomUUID(), payload: {} };

    // The handler is stuck for good, as on a row lock nobody releases.
    let handlerStarted!: () => void;
    const started = new Promise<void>((resolve) => (handlerStarted = resolve));
    const stuck = await broker.consume(queue, () => {
      handlerStarted();
      return new Promise<void>(() => {});
    }, { stopDeadlineMs: 200 });
    await broker.publish(exchange, message);
    await started;

    // Generous against the 200 ms deadline: only a stop that waits for the handler misses it.
    expect(await settlesWithin(stuck.cancel(), 10_000), 'cancel() returned').toBe(true);
    expect(lines.filter((line) => /still running/.test(line.msg)).map((line) => ({ queue: line.queue, stillRunning: line.stillRunning }))).toEqual([{ queue, stillRunning: 1 }]);

    // Not acked, so not lost: the next consumer of the queue gets it again.
    const redelivered: Delivered[] = [];
    await broker.consume(queue, (delivered) => void redelivered.push(delivered));
    await broker.waitFor('acked', 1);
    expect(redelivered.map((delivered) => ({ id: delivered.id, redelivered: delivered.redelivered }))).toEqual([{ id: message.id, redelivered: true }]);
  });
});
