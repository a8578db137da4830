import path from 'node:path';
import type pg from 'pg';
import type { RunningService } from '#shared/harness/child-service.ts';
import { whileProgressing, type Progress } from '#shared/harness/eventually.ts';
import type { FaultProxy } from '#shared/harness/fault-proxy.ts';
import type { MessageTap } from '#shared/harness/message-tap.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';

export const EXCHANGE = 'order-events';
const BROKER_PROXY = 'relay→RabbitMQ proxy';

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

/** What a chaos test committed, per customer: orders that answered 201 and the sum of their totals. */
export type Committed = Map<string, { orders: number; total: number }>;

export interface Effects {
  expected: Array<{ id: string; ordersSeen: number; creditReserved: number }>;
  actual: Array<{ id: string; ordersSeen: number; creditReserved: number }>;
  why: Progress<unknown>['why'];
}

/**
 * Lab 02's world: order-service (HTTP, its own database, no broker), the relay (reads order-service's
 * outbox, publishes through a fault proxy to RabbitMQ) and customer-service (consumes the events, its own
 * database). A message tap records every event that crosses the exchange.
 */
export class OutboxWorld {
  /** The relays a test started, oldest first (the set-up run of `runRelayOnceFirst` is not one of them). */
  readonly relays: RunningService[] = [];
  /** Outbox rows up to this id are known to have crossed the exchange. */
  private relayedUpTo = 0;

  private constructor(
    readonly options: WorldOptions,
    readonly world: World,
  ) {}

  static async start(options: WorldOptions): Promise<OutboxWorld> {
    const servicesDir = serviceDir(options);
    const world = await startWorld({
      lab: options.lab.slice(0, 3),
      services: [
        { name: 'order-service', entry: path.join(servicesDir, 'order-service/index.ts'), database: 'orders' },
        { name: 'customer-service', entry: path.join(servicesDir, 'customer-service/index.ts'), database: 'customers', rabbitmq: true },
        {
          name: 'relay',
          entry: path.join(labDir(options.lab), options.relayEntry),
          database: 'orders',
          http: false,
          rabbitmq: { via: BROKER_PROXY },
          env: options.relayEnv,
          readyMessage: 'ready',
          start: false,
        },
      ],
      proxies: [{ name: BROKER_PROXY, to: 'rabbitmq' }],
      tap: { exchanges: [EXCHANGE] },
      // Lab 02's relay marks rows published; lab 02b's leaves the column alone (the slot keeps its place).
      outboxes: ['orders'],
      recordHttp: false,
    });
    const outbox = new OutboxWorld(options, world);
    if (options.runRelayOnceFirst) {
      await world
        .launch('relay', 'relay-setup')
        .then((relay) => relay.kill())
        .catch(async (error: unknown) => {
          await world.stop();
          throw error;
        });
    }
    return outbox;
  }

  get timeline() {
    return this.world.timeline;
  }

  get tap(): MessageTap {
    return this.world.tap;
  }

  get ns() {
    return this.world.ns;
  }

  get brokerProxy(): FaultProxy {
    return this.world.proxy(BROKER_PROXY);
  }

  get orderService(): RunningService {
    return this.world.service('order-service');
  }

  get customerService(): RunningService {
    return this.world.service('customer-service');
  }

  get ports() {
    return { order: this.world.addresses.port('order-service'), customer: this.world.addresses.port('customer-service') };
  }

  get databases() {
    return { orders: this.world.addresses.databaseUrl('orders'), customers: this.world.addresses.databaseUrl('customers') };
  }

  /** Starts one more relay process; it reaches RabbitMQ through the fault proxy. */
  async startRelay(): Promise<RunningService> {
    const relay = await this.world.launch('relay', `relay-${this.relays.length + 1}`);
    this.relays.push(relay);
    return relay;
  }

  async restartCustomerService(): Promise<void> {
    await this.world.restart('customer-service');
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  async createCustomer(): Promise<string> {
    const { status, body } = await this.http('customer-service', 'POST', '/customers', { name: 'lab 02 customer' });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async customer(id: string): Promise<{ creditReserved: number; ordersSeen: number }> {
    const { status, body } = await this.http('customer-service', 'GET', `/customers/${id}`);
    if (status !== 200) throw new Error(`reading customer ${id} failed: ${status} ${JSON.stringify(body)}`);
    return body as { creditReserved: number; ordersSeen: number };
  }

  createOrder(customerId: string, total: number) {
    return this.http('order-service', 'POST', '/orders', { customerId, total });
  }

  cancelOrder(orderId: string) {
    return this.http('order-service', 'POST', `/orders/${orderId}/cancel`);
  }

  /**
   * Creates orders spread over `customers`, `concurrency` at a time: `count` of them, then more for as long
   * as `moreWhile()` holds (a chaos test keeps the traffic flowing until its faults have landed). Returns what
   * was committed per customer (an order is committed when order-service answered 201). Under `npm run
   * verify`, it stops early once another check caught the mutant: the run's verdict is known, and what was
   * committed so far is still judged whole.
   */
  async createOrders(
    customers: string[],
    count: number,
    { concurrency = 8, onProgress, moreWhile }: { concurrency?: number; onProgress?: (done: number) => void; moreWhile?: () => boolean } = {},
  ): Promise<Committed> {
    const committed: Committed = new Map(customers.map((c) => [c, { orders: 0, total: 0 }]));
    let next = 0;
    const client = async () => {
      while ((next < count || moreWhile?.()) && !mutantAlreadyCaught()) {
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
   * Waits until the effects at customer-service of what was `committed` can no longer change, and returns
   * them beside what was expected: as soon as the world is quiet (nothing left to relay, every queue empty,
   * effects unchanged for a second), at once when an effect is doubled (that never heals), and otherwise once
   * nothing moved for 5 s. Graders assert on the answer (`expectEffectsExactlyOnce`); demos print it.
   */
  async effects(committed: Committed, timeoutMs = 30_000): Promise<Effects> {
    const expected = [...committed.entries()].map(([id, c]) => ({ id, ordersSeen: c.orders, creditReserved: c.total }));
    const read = async (id: string) => {
      const { ordersSeen, creditReserved } = await this.customer(id);
      return { id, ordersSeen, creditReserved };
    };
    const { value: actual, why } = await whileProgressing(() => Promise.all(expected.map(({ id }) => read(id))), {
      final: (now) => now.some((a, i) => a.ordersSeen > expected[i]!.ordersSeen),
      quiet: () => this.world.quiet(() => this.everythingRelayed(committed)),
      timeoutMs,
    });
    return { expected, actual, why };
  }

  /**
   * Waits until `done()` holds, or until nothing more can cross the exchange (the world is quiet, or else
   * nothing moved for 5 s); returns whether it holds.
   */
  async relayedOrQuiet(done: () => boolean, timeoutMs = 10_000): Promise<boolean> {
    const { why } = await whileProgressing(async () => this.tap.messages.length, {
      final: () => done(),
      quiet: () => this.world.quiet(() => this.everythingRelayed()),
      timeoutMs,
    });
    return why === 'final';
  }

  /**
   * For a relay that does not mark rows (lab 02b's): every outbox row still there has crossed the exchange,
   * and so has an OrderCreated for every committed order (rows purged before they were relayed are not there).
   */
  private async everythingRelayed(committed: Committed = new Map()): Promise<boolean> {
    const seen = new Set(this.tap.messages.map((m) => m.id));
    const rows = await this.queryOrders<{ id: string; message_id: string }>('SELECT id, message_id FROM outbox WHERE id > $1 ORDER BY id', [this.relayedUpTo]);
    for (const row of rows) {
      if (!seen.has(row.message_id)) return false;
      this.relayedUpTo = Number(row.id);
    }
    const created = new Map<string, Set<string | undefined>>();
    for (const m of this.tap.messages) {
      const customerId = (m.body as { customerId?: string }).customerId;
      if (m.type === 'OrderCreated' && customerId && committed.has(customerId)) created.set(customerId, (created.get(customerId) ?? new Set()).add(m.id));
    }
    return [...committed].every(([customerId, c]) => (created.get(customerId)?.size ?? 0) >= c.orders);
  }

  /** Rows in the outbox not yet marked published. */
  async unpublished(): Promise<number> {
    return this.queryOrders<{ count: string }>('SELECT count(*) FROM outbox WHERE published_at IS NULL').then((r) => Number(r[0]?.count));
  }

  queryOrders<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.world.query<T>('orders', sql, params);
  }

  /** One HTTP exchange with a service, named or by port (`this.ports.order`). */
  http(service: 'order-service' | 'customer-service' | number, method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    const name = typeof service === 'number' ? (service === this.ports.order ? 'order-service' : 'customer-service') : service;
    return this.world.call(name, method, url, body);
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
