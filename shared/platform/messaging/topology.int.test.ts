import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { managementUrl } from '../../harness/rabbit-admin.ts';
import { createLogger } from '../log.ts';
import { connectBroker, prefixed, queueNames, type Broker } from '../messaging.ts';

let ns: Namespace;
let broker: Broker;
beforeAll(async () => {
  ns = await createNamespace('topology');
  broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'topology-test', logger: createLogger('topology-test', 'silent') });
});
afterAll(async () => {
  await broker?.close();
  await ns?.drop();
});

/** One queue or exchange as RabbitMQ's management API shows it (arguments are fixed when it is declared). */
async function describeByManagementApi(kind: 'queues' | 'exchanges', name: string): Promise<{ arguments: Record<string, unknown>; auto_delete: boolean }> {
  const url = managementUrl();
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const response = await fetch(`${url.protocol}//${url.host}/api/${kind}/%2F/${encodeURIComponent(name)}`, { headers: { authorization: auth } });
  expect(response.status, `${kind} ${name}`).toBe(200);
  return (await response.json()) as { arguments: Record<string, unknown>; auto_delete: boolean };
}

describe('topology of a test namespace', () => {
  test('when the kit declares a test namespace\'s queues and exchanges, then none of them expires or auto-deletes', async () => {
    // A dead-letter queue may hold a message nobody consumes for as long as nobody looks: if it expired, or its
    // exchange vanished with its last binding, the message would be lost without a word. Test namespaces too.
    const exchange = `orders_${randomUUID().slice(0, 8)}`;
    const queue = `billing_${randomUUID().slice(0, 8)}`;
    await broker.declareTopology({ exchanges: [exchange], queues: [{ name: queue, bindings: [{ exchange, pattern: 'OrderCreated.#' }] }] });

    const names = queueNames(prefixed(ns.id, queue));
    for (const name of [names.main, names.retry, names.dead]) {
      const declared = await describeByManagementApi('queues', name);
      expect(declared.arguments, name).not.toHaveProperty('x-expires');
      expect(declared.auto_delete, name).toBe(false);
    }
    expect((await describeByManagementApi('exchanges', prefixed(ns.id, exchange))).auto_delete).toBe(false);
  });
});
