import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import path from 'node:path';
import type { FaultProxy } from '#shared/harness/fault-proxy.ts';
import { REPO_ROOT } from '#shared/harness/mutants.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World, type WorldAddresses } from '#shared/harness/world.ts';

export type { HttpAnswer };
export type Provider = 'order' | 'customer' | 'kitchen' | 'accounting';
export const PROVIDERS: readonly Provider[] = ['order', 'customer', 'kitchen', 'accounting'];

/** The composer's settings in these checks: short, so that faults resolve in about a second. */
export const SETTINGS = {
  timeoutMs: 1_000,
  retries: 2,
  breakerFailures: 5,
  halfOpenAfterMs: 800,
  deadlineMs: 1_500,
} as const;

const SERVICE: Record<Provider, string> = { order: 'order-service', customer: 'customer-service', kitchen: 'kitchen-service', accounting: 'accounting-service' };
const DATABASE: Record<Provider, string> = { order: 'orders', customer: 'customers', kitchen: 'kitchen', accounting: 'accounting' };

export interface SeededOrder {
  orderId: string;
  customerId: string;
  total: number;
}

/**
 * Lab 06's world: the composer (from the tree under test) and the four read providers every lab shares
 * (shared/participants/read-providers), each with its own database and a fault proxy in front of it. The
 * composer reaches each provider only through its proxy, so a check can slow a provider down, refuse or cut
 * its connections, and count the requests it receives.
 */
export class CompositionWorld {
  private constructor(readonly world: World) {}

  /**
   * `composers` lets a demo run other composers beside the one under test, each from its own tree (the serial
   * mutant beside the solution); all of them call the providers through the same proxies.
   */
  static async start(settings: Partial<Record<keyof typeof SETTINGS, number>> = {}, composers: Array<{ name: string; dir: string }> = []): Promise<CompositionWorld> {
    const s = { ...SETTINGS, ...settings };
    const provider = (p: Provider) => ({
      name: SERVICE[p],
      entry: path.join(REPO_ROOT, 'shared/participants/read-providers', p === 'order' ? 'order-service/index.ts' : `${SERVICE[p]}.ts`),
      database: DATABASE[p],
    });
    const world = await startWorld({
      lab: '06',
      services: [
        ...PROVIDERS.map(provider),
        ...[{ name: 'composer-service', dir: labDir('06-api-composition') }, ...composers].map(({ name, dir }) => ({
          name,
          entry: path.join(dir, 'composer-service/index.ts'),
          env: (w: WorldAddresses) => ({
            ORDER_SERVICE_URL: `http://127.0.0.1:${w.proxyPort('order')}`,
            CUSTOMER_SERVICE_URL: `http://127.0.0.1:${w.proxyPort('customer')}`,
            KITCHEN_SERVICE_URL: `http://127.0.0.1:${w.proxyPort('kitchen')}`,
            ACCOUNTING_SERVICE_URL: `http://127.0.0.1:${w.proxyPort('accounting')}`,
            PROVIDER_TIMEOUT_MS: String(s.timeoutMs),
            PROVIDER_RETRIES: String(s.retries),
            BREAKER_FAILURES: String(s.breakerFailures),
            BREAKER_HALF_OPEN_MS: String(s.halfOpenAfterMs),
            COMPOSE_DEADLINE_MS: String(s.deadlineMs),
          }),
        })),
      ],
      proxies: PROVIDERS.map((p) => ({ name: p, to: { service: SERVICE[p] } })),
    });
    // Each call the composer makes, as its proxy sees it, is drawn on the timeline a failing check writes.
    for (const p of PROVIDERS) {
      world.proxy(p).watchHttp(({ kind, line }) =>
        world.timeline.record(kind === 'request' ? { from: 'composer-service', to: SERVICE[p], label: line.replace(/ HTTP\/1\.1$/, '') } : { from: SERVICE[p], to: 'composer-service', label: line.replace(/^HTTP\/1\.1 /, '') }),
      );
    }
    return new CompositionWorld(world);
  }

  get timeline() {
    return this.world.timeline;
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  proxy(provider: Provider): FaultProxy {
    return this.world.proxy(provider);
  }

  /** Calls the composer tried to make to a provider: requests that reached its proxy, and connections it refused. */
  attempts(provider: Provider): number {
    const { requests, refused } = this.proxy(provider).stats;
    return requests + refused;
  }

  attemptsByProvider(): Record<Provider, number> {
    return Object.fromEntries(PROVIDERS.map((p) => [p, this.attempts(p)])) as Record<Provider, number>;
  }

  /** What each provider saw during `act`: the calls the composer tried. */
  async counting<T>(act: () => Promise<T>): Promise<{ result: T; calls: Record<Provider, number> }> {
    const before = this.attemptsByProvider();
    const result = await act();
    const after = this.attemptsByProvider();
    return { result, calls: Object.fromEntries(PROVIDERS.map((p) => [p, after[p] - before[p]])) as Record<Provider, number> };
  }

  /**
   * Delays a call to a provider by about `ms`: the proxy holds the request and the reply for half of it each
   * (a GET and its reply are one chunk each way).
   */
  delay(provider: Provider, ms: number): void {
    this.proxy(provider).setLatency(ms / 2);
  }

  /**
   * The provider is down: new connections are reset at once, as by a port nobody listens on, and the ones the
   * composer keeps alive are cut (a kept-alive connection would otherwise go on reaching a "down" provider).
   */
  down(provider: Provider): void {
    const proxy = this.proxy(provider);
    proxy.refuse(true, 'reset');
    proxy.cut();
  }

  /** Every provider healthy and fast again. */
  heal(): void {
    for (const p of PROVIDERS) {
      const proxy = this.proxy(p);
      proxy.setLatency(0);
      proxy.refuse(false);
      proxy.dropResponses(false);
    }
  }

  /** A fresh composer process: its circuit breakers closed and its cache empty, whatever an earlier check did. */
  async restartComposer(): Promise<void> {
    await this.world.restart('composer-service');
  }

  async createCustomer(name = 'lab 06 customer'): Promise<string> {
    const { status, body } = await this.world.call('customer-service', 'POST', '/customers', { name, creditLimit: 100_000 });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  /**
   * An order in order-service's database, with (unless told otherwise) its ticket in kitchen-service's and its
   * authorization in accounting-service's: what the Create Order saga of lab 04 leaves behind.
   */
  async seedOrder(customerId: string, { total = 1_250, ticket = 'APPROVED', payment = 'AUTHORIZED' }: { total?: number; ticket?: string | null; payment?: string | null } = {}): Promise<SeededOrder> {
    const orderId = randomUUID();
    await this.world.query('orders', "INSERT INTO orders (id, customer_id, total, state) VALUES ($1, $2, $3, 'APPROVED')", [orderId, customerId, total]);
    if (ticket) await this.world.query('kitchen', 'INSERT INTO tickets (order_id, total, state) VALUES ($1, $2, $3)', [orderId, total, ticket]);
    if (payment) await this.world.query('accounting', 'INSERT INTO authorizations (order_id, customer_id, total, state) VALUES ($1, $2, $3, $4)', [orderId, customerId, total, payment]);
    return { orderId, customerId, total };
  }

  /** GET /order-details/:id, with a deadline of the grader's own well past the composer's. */
  details(orderId: string, waitMs = 4_000, composer = 'composer-service'): Promise<HttpAnswer> {
    return this.world.call(composer, 'GET', `/order-details/${orderId}`, undefined, waitMs);
  }

  customerDetails(customerId: string, waitMs = 4_000): Promise<HttpAnswer> {
    return this.world.call('composer-service', 'GET', `/customers/${customerId}/order-details`, undefined, waitMs);
  }
}

/**
 * One world per grader file, started before its checks and dropped after them. A check that injects faults
 * calls `injectFaults()`: it may leave a circuit open or a cache filled, so the next check starts with every
 * provider healthy and a fresh composer. Each check can then also run alone (`-t`).
 */
export function useCompositionWorld(settings: Partial<Record<keyof typeof SETTINGS, number>> = {}) {
  let world: CompositionWorld | undefined;
  let faultsInjected = false;
  beforeAll(async () => {
    world = await CompositionWorld.start(settings);
  });
  afterAll(async () => {
    await world?.stop();
  });
  writeTimelineOnFailure('06', () => world?.timeline);
  beforeEach(async () => {
    world?.heal();
    if (faultsInjected) await world?.restartComposer();
    faultsInjected = false;
  });
  return {
    get world(): CompositionWorld {
      if (!world) throw new Error('the world has not started');
      return world;
    },
    injectFaults() {
      faultsInjected = true;
    },
  };
}

/** The body of an answer, read loosely: the checks say what they expect of each field. */
export const body = (answer: HttpAnswer) => answer.body as Record<string, any>;

/** A readable one-line description of an HTTP answer, for assertion messages. */
export function show(answer: HttpAnswer): string {
  return answer.status === 0 ? `no answer (${String(answer.body.error)})` : `${answer.status} after ${answer.ms} ms: ${JSON.stringify(answer.body).slice(0, 600)}`;
}
