import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../../harness/eventually.ts';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { createLogger } from '../log.ts';
import { connectBroker, type Broker } from '../messaging.ts';
import { declareEventLog, readEventLog, type LogEntry } from './event-log.ts';

let ns: Namespace;
let broker: Broker;
const logger = createLogger('event-log-test', 'silent');
beforeAll(async () => {
  ns = await createNamespace('eventlog');
  broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'event-log-test', logger });
});
afterAll(async () => {
  await broker?.close();
  await ns?.drop();
});

/** A fresh log with `count` events already in it (before any reader exists: the stream keeps them). */
async function logWith(count: number): Promise<{ service: string; ids: string[] }> {
  const service = `svc-${randomUUID().slice(0, 8)}`;
  const log = await declareEventLog(ns.amqpUrl, ns.id, service);
  const ids = Array.from({ length: count }, () => randomUUID());
  await broker.publishMany(log.exchange, ids.map((id, i) => ({ id, type: 'Counted', key: String(i), payload: { i } })));
  return { service, ids };
}

describe('the retained event log (a RabbitMQ stream)', () => {
  test('when a reader starts from the first entry after the events were published, then it reads all of them, in order, with their offsets', async () => {
    const { service, ids } = await logWith(50);
    const read: LogEntry[] = [];
    const reader = readEventLog({ url: ns.amqpUrl, prefix: ns.id, service, logger, from: async () => 'first', handle: async (entries) => void read.push(...entries) });
    try {
      await eventually(() => read.length >= 50, { timeoutMs: 10_000, description: '50 entries read' });
      expect(read.map((e) => e.id)).toEqual(ids);
      expect(read.map((e) => e.offset)).toEqual(ids.map((_, i) => read[0]!.offset + i));
    } finally {
      await reader.stop();
    }
  });

  test('when a batch fails, then the reader starts again from what `from` says, and nothing after it is skipped', async () => {
    const { service, ids } = await logWith(30);
    let applied = -1; // the offset of the last entry "committed"
    let failOnce = true;
    const seen: string[] = [];
    const reader = readEventLog({
      url: ns.amqpUrl,
      prefix: ns.id,
      service,
      logger,
      prefetch: 10,
      from: async () => (applied < 0 ? 'first' : applied + 1),
      handle: async (entries) => {
        if (failOnce) {
          // The first batch fails, whatever its size (a stream delivers whole chunks, so it may hold all 30):
          // as if an earlier life had committed the first ten entries, then crashed in this batch. The reader
          // must start again right after the tenth, skipping nothing and repeating nothing before it.
          failOnce = false;
          applied = entries[0]!.offset + 9;
          seen.push(...ids.slice(0, 10));
          throw new Error('a batch that fails once');
        }
        for (const e of entries) {
          expect(e.offset, 'an entry already applied came again past `from`').toBeGreaterThan(applied);
          applied = e.offset;
          seen.push(e.id!);
        }
      },
    });
    try {
      await eventually(() => seen.length >= 30, { timeoutMs: 15_000, description: '30 entries applied' });
      expect(seen).toEqual(ids);
      expect(failOnce, 'the failing batch happened').toBe(false);
    } finally {
      await reader.stop();
    }
  });
});
