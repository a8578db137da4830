import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { createPool, migrate, type Pool } from '../db.ts';
import { createLogger } from '../log.ts';
import { connectBroker, type Broker, type Delivered, type Topology } from '../messaging.ts';
import { OUTBOX_MIGRATIONS } from './outbox.ts';

/**
 * What the outbox tests share: one namespace per file, and per test fresh databases (a relay must not find
 * another test's rows), Brokers and a raw amqplib connection, all closed after the test.
 */
export interface OutboxFixture {
  readonly ns: Namespace;
  readonly raw: ChannelModel;
  readonly logger: ReturnType<typeof createLogger>;
  /** A new database with these migration folders applied (default: the outbox's). */
  database(service?: string, migrations?: string[]): Promise<Pool>;
  broker(service?: string): Promise<Broker>;
  /** Fresh names: `<what>_<8 hex>`. */
  name(what: string): string;
  /** A queue bound with `#` to `exchange`, whose messages are collected in arrival order. */
  collect(broker: Broker, exchange: string): Promise<Delivered[]>;
  /** Work to undo after the test (stop a relay, ...); runs before the Brokers and pools close. */
  defer(cleanup: () => Promise<unknown>): void;
}

export function useOutboxFixture(lab: string): OutboxFixture {
  const logger = createLogger('outbox-test', process.env.LOG_LEVEL ?? 'silent');
  let ns: Namespace | undefined;
  let raw: ChannelModel | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const brokers: Broker[] = [];
  const pools: Pool[] = [];

  beforeAll(async () => {
    ns = await createNamespace(lab);
    raw = await amqp.connect(ns.amqpUrl, { noDelay: true });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const broker of brokers.splice(0)) {
      await broker.deleteTopology().catch(() => {});
      await broker.close();
    }
    for (const pool of pools.splice(0)) await pool.end();
  });
  afterAll(async () => {
    await raw?.close();
    await ns?.drop();
  });

  const name = (what: string) => `${what}_${randomUUID().slice(0, 8)}`;
  return {
    get ns() {
      if (!ns) throw new Error('the namespace exists only inside tests');
      return ns;
    },
    get raw() {
      if (!raw) throw new Error('the raw connection exists only inside tests');
      return raw;
    },
    logger,
    async database(service = 'outbox', migrations = [OUTBOX_MIGRATIONS]) {
      const pool = createPool(await this.ns.createDatabase(name(service)));
      pools.push(pool);
      await migrate(pool, migrations);
      return pool;
    },
    async broker(service = 'order-service') {
      const broker = await connectBroker({ url: this.ns.amqpUrl, prefix: this.ns.id, service, logger });
      brokers.push(broker);
      return broker;
    },
    name,
    async collect(broker, exchange) {
      const queue = name('collector');
      const topology: Topology = { exchanges: [exchange], queues: [{ name: queue, bindings: [{ exchange, pattern: '#' }] }] };
      await broker.declareTopology(topology);
      const received: Delivered[] = [];
      await broker.consume(queue, (message) => void received.push(message));
      return received;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
