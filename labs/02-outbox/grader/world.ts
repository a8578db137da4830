import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { freePort, startService, type RunningService } from '#shared/harness/child-service.ts';
import { httpCall, type HttpAnswer } from '#shared/harness/http-call.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { startFaultProxy, type FaultProxy } from '#shared/harness/fault-proxy.ts';
import { startTap, type MessageTap } from '#shared/harness/message-tap.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { labDir } from '#shared/harness/target.ts';
import { Timeline } from '#shared/harness/timeline.ts';

export const EXCHANGE = 'order-events';

export interface WorldOptions {
  /** The lab under test (`02-outbox`, `02b-log-tailing`): its relay is the one started. */
  lab: string;
  /** Lab and entry of the relay, relative to the lab's folder. */
  relayEntry: string;
  /** Where order-service and customer-service come from (lab 02b reuses lab 02's). */
  servicesFrom?: { lab: string; tree: 'target' | 'solutions' };
  relayEnv?: Record<string, string>;
  /**
   * Runs the relay once before any order is written, then kills it. A log-tailing relay (lab 02b) relays
   * only what commits after its replication slot exists, and it creates the slot when it starts; in
   * production the slot is created at deployment, before the service writes. Lab 02's polling relay reads
   * the table and needs nothing of the kind.
   */
  runRelayOnceFirst?: boolean;
}

/**
 * Lab 02's world: order-service (HTTP, its own database, no broker), the relay (reads order-service's
 * outbox, publishes through a fault proxy to RabbitMQ) and customer-service (consumes the events, its own
 * database). A message tap records every event that crosses the exchange.
 */
export class OutboxWorld {
  readonly relays: RunningService[] = [];
  private constructor(
    readonly options: WorldOptions,
    readonly timeline: Timeline,
    readonly ns: Namespace,
    readonly databases: { orders: string; customers: string },
    readonly ports: { order: number; customer: number },
    readonly brokerProxy: FaultProxy,
    readonly tap: MessageTap,
    public orderService: RunningService,
    public customerService: RunningService,
  ) {}

  static async start(options: WorldOptions): Promise<OutboxWorld> {
    const timeline = new Timeline();
    const ns = await createNamespace(options.lab.slice(0, 3));
    const [orders, customers] = await Promise.all([ns.createDatabase('orders'), ns.createDatabase('customers')]);
    const [order, customer] = await Promise.all([freePort(), freePort()]);
    const amqp = new URL(ns.amqpUrl);
    const brokerProxy = await startFaultProxy({ target: { host: amqp.hostname, port: Number(amqp.port || 5672) }, name: 'relay→RabbitMQ proxy', timeline });
    const servicesDir = serviceDir(options);
    const [orderService, customerService] = await Promise.all([
      startService({ name: 'order-service', entry: path.join(servicesDir, 'order-service/index.ts'), env: { DATABASE_URL: orders, PORT: String(order) } }),
      startService({
        name: 'customer-service',
        entry: path.join(servicesDir, 'customer-service/index.ts'),
        env: { DATABASE_URL: customers, PORT: String(customer), AMQP_URL: ns.amqpUrl, KIT_PREFIX: ns.id },
      }),
    ]);
    // customer-service declared the exchange and its queue; the tap binds to the same exchange.
    const tap = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: [EXCHANGE], timeline });
    const world = new OutboxWorld(options, timeline, ns, { orders, customers }, { order, customer }, brokerProxy, tap, orderService, customerService);
    if (options.runRelayOnceFirst) {
      await world
        .launchRelay('relay-setup')
        .then((relay) => relay.kill())
        .catch(async (error: unknown) => {
          await world.stop();
          throw error;
        });
    }
    return world;
  }

  /** Starts one more relay process; it reaches RabbitMQ through the fault proxy. */
  async startRelay(): Promise<RunningService> {
    const relay = await this.launchRelay(`relay-${this.relays.length + 1}`);
    this.relays.push(relay);
    return relay;
  }

  private launchRelay(name: string): Promise<RunningService> {
    const amqp = new URL(this.ns.amqpUrl);
    amqp.hostname = '127.0.0.1';
    amqp.port = String(this.brokerProxy.port);
    return startService({
      name,
      entry: path.join(labDir(this.options.lab), this.options.relayEntry),
      env: { DATABASE_URL: this.databases.orders, AMQP_URL: amqp.toString(), KIT_PREFIX: this.ns.id, ...this.options.relayEnv },
      readyMessage: 'ready',
      timeline: this.timeline,
    });
  }

  async restartCustomerService(): Promise<void> {
    this.customerService = await this.customerService.restart();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.relays, this.orderService, this.customerService].map((s) => s.kill()));
    await this.tap.stop().catch(() => {});
    await this.brokerProxy.close();
    await this.ns.drop();
  }

  async createCustomer(): Promise<string> {
    const { status, body } = await this.http(this.ports.customer, 'POST', '/customers', { name: 'lab 02 customer' });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async customer(id: string): Promise<{ creditReserved: number; ordersSeen: number }> {
    const { status, body } = await this.http(this.ports.customer, 'GET', `/customers/${id}`);
    if (status !== 200) throw new Error(`reading customer ${id} failed: ${status} ${JSON.stringify(body)}`);
    return body as { creditReserved: number; ordersSeen: number };
  }

  createOrder(customerId: string, total: number) {
    return this.http(this.ports.order, 'POST', '/orders', { customerId, total });
  }

  cancelOrder(orderId: string) {
    return this.http(this.ports.order, 'POST', `/orders/${orderId}/cancel`);
  }

  /**
   * Creates `count` orders spread over `customers`, `concurrency` at a time, and returns what was committed
   * per customer (an order is committed when order-service answered 201).
   */
  async createOrders(customers: string[], count: number, concurrency = 8, onProgress?: (done: number) => void): Promise<Map<string, { orders: number; total: number }>> {
    const committed = new Map(customers.map((c) => [c, { orders: 0, total: 0 }]));
    let next = 0;
    const client = async () => {
      while (next < count) {
        const i = next++;
        const customerId = customers[i % customers.length]!;
        const total = 1 + (i % 97);
        const { status, body } = await this.createOrder(customerId, total);
        if (status !== 201) throw new Error(`creating order ${i} failed: ${status} ${JSON.stringify(body)}`);
        const c = committed.get(customerId)!;
        c.orders += 1;
        c.total += total;
        onProgress?.(i + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    return committed;
  }

  /**
   * The invariant every chaos test ends with: each committed order took effect exactly once at
   * customer-service (no effect lost, none doubled), and the outbox holds nothing unpublished.
   */
  async expectEffectsExactlyOnce(committed: Map<string, { orders: number; total: number }>, timeoutMs = 30_000): Promise<void> {
    const expected = [...committed.entries()].map(([id, c]) => ({ id, ordersSeen: c.orders, creditReserved: c.total }));
    let actual: typeof expected = [];
    let progress = { fingerprint: '', at: Date.now() };
    await eventually(
      async () => {
        actual = await Promise.all(expected.map(async ({ id }) => ({ id, ...(await this.customer(id)) })));
        const over = actual.some((a, i) => a.ordersSeen > expected[i]!.ordersSeen);
        // A doubled effect never heals: stop waiting and let the assertion below say so. Nor does a system
        // that stopped making progress: after 5 s without any change, judge what is there.
        const fingerprint = JSON.stringify(actual);
        if (fingerprint !== progress.fingerprint) progress = { fingerprint, at: Date.now() };
        const stalled = Date.now() - progress.at > 5_000;
        return over || stalled || actual.every((a, i) => a.ordersSeen === expected[i]!.ordersSeen && a.creditReserved === expected[i]!.creditReserved);
      },
      { timeoutMs, description: 'every committed order to take effect at customer-service' },
    ).catch(() => undefined);
    const sum = (rows: typeof expected, key: 'ordersSeen' | 'creditReserved') => rows.reduce((s, r) => s + r[key], 0);
    expect(
      sum(actual, 'ordersSeen'),
      `effects at customer-service should equal orders committed (${sum(expected, 'ordersSeen')}): fewer means lost events, more means duplicates applied twice`,
    ).toBe(sum(expected, 'ordersSeen'));
    expect(actual.map((a) => a.creditReserved), 'credit reserved per customer should equal the sum of its orders, each counted once').toEqual(expected.map((e) => e.creditReserved));
  }

  /** Rows in the outbox not yet marked published. */
  async unpublished(): Promise<number> {
    return this.queryOrders<{ count: string }>('SELECT count(*) FROM outbox WHERE published_at IS NULL').then((r) => Number(r[0]?.count));
  }

  async queryOrders<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.databases.orders });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  http(port: number, method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    return httpCall(port, method, url, body);
  }
}

function serviceDir(options: WorldOptions): string {
  const from = options.servicesFrom;
  if (!from) return labDir(options.lab);
  return from.tree === 'solutions' ? labDir(from.lab, { kind: 'solutions' }) : labDir(from.lab);
}

/** A random pause in [min, max) ms: when a chaos test strikes, so that each run hits other moments. */
export function randomPause(min: number, max: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
}
