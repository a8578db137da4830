import path from 'node:path';
import type { FaultProxy } from '#shared/harness/fault-proxy.ts';
import type { RunningService } from '#shared/harness/child-service.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';
import { labDir } from '#shared/harness/target.ts';

/** order-service's deadline for customer-service in these tests: short, so slow cases stay fast. */
export const CUSTOMER_TIMEOUT_MS = 500;

export type { HttpAnswer };

/**
 * The lab's two services, each with its own database, with a fault proxy between order-service and
 * customer-service so a test can slow down, cut or swallow the call. The grader talks to both over HTTP,
 * as any client would, and every exchange is drawn on the world's timeline.
 */
export class Mesh {
  private constructor(readonly world: World) {}

  static async start(): Promise<Mesh> {
    const dir = labDir('01-sync-mesh');
    const world = await startWorld({
      lab: '01',
      services: [
        { name: 'customer-service', entry: path.join(dir, 'customer-service/index.ts'), database: 'customers' },
        {
          name: 'order-service',
          entry: path.join(dir, 'order-service/index.ts'),
          database: 'orders',
          env: (w) => ({ CUSTOMER_SERVICE_URL: `http://127.0.0.1:${w.proxyPort('customer-service proxy')}`, CUSTOMER_TIMEOUT_MS: String(CUSTOMER_TIMEOUT_MS) }),
        },
      ],
      proxies: [{ name: 'customer-service proxy', to: { service: 'customer-service' } }],
    });
    return new Mesh(world);
  }

  get timeline() {
    return this.world.timeline;
  }

  get proxy(): FaultProxy {
    return this.world.proxy('customer-service proxy');
  }

  get customerService(): RunningService {
    return this.world.service('customer-service');
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  killCustomerService(): Promise<void> {
    return this.world.kill('customer-service');
  }

  async restartCustomerService(): Promise<void> {
    await this.world.restart('customer-service');
  }

  async createCustomer(creditLimit: number): Promise<string> {
    const answer = await this.call('customer-service', 'POST', '/customers', { name: `customer ${Date.now()}`, creditLimit });
    if (answer.status !== 201) throw new Error(`setting up a customer failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id as string;
  }

  async customer(id: string): Promise<{ creditLimit: number; creditReserved: number }> {
    const answer = await this.call('customer-service', 'GET', `/customers/${id}`);
    if (answer.status !== 200) throw new Error(`reading customer ${id} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as { creditLimit: number; creditReserved: number };
  }

  createOrder(customerId: string, total: number, waitMs = 3_000): Promise<HttpAnswer> {
    return this.call('order-service', 'POST', '/orders', { customerId, total }, waitMs);
  }

  /** Orders stored for a customer, read from order-service's own database: the ground truth. */
  async storedOrders(customerId: string): Promise<number> {
    const rows = await this.world.query<{ count: string }>('orders', 'SELECT count(*) FROM orders WHERE customer_id = $1', [customerId]);
    return Number(rows[0]!.count);
  }

  /** One HTTP exchange; if the service does not answer within `waitMs`, the answer is status 0. */
  call(service: 'order-service' | 'customer-service', method: string, url: string, body?: unknown, waitMs = 3_000): Promise<HttpAnswer> {
    return this.world.call(service, method, url, body, waitMs);
  }
}

/** A readable one-line description of an HTTP answer, for assertion messages. */
export function show(answer: HttpAnswer): string {
  return answer.status === 0 ? `no answer (${String(answer.body.error)})` : `${answer.status} ${JSON.stringify(answer.body)}`;
}
