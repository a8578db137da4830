import path from 'node:path';
import pg from 'pg';
import { freePort, startService, type RunningService } from '#shared/harness/child-service.ts';
import { httpCall, type HttpAnswer } from '#shared/harness/http-call.ts';
import { startFaultProxy, type FaultProxy } from '#shared/harness/fault-proxy.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { labDir } from '#shared/harness/target.ts';
import { Timeline } from '#shared/harness/timeline.ts';

/** order-service's deadline for customer-service in these tests: short, so slow cases stay fast. */
export const CUSTOMER_TIMEOUT_MS = 500;

export type { HttpAnswer };

/**
 * The lab's two services, each with its own database, with a fault proxy between order-service and
 * customer-service so a test can slow down, cut or swallow the call. The grader talks to both over HTTP,
 * as any client would, and records every exchange on a timeline.
 */
export class Mesh {
  private constructor(
    readonly timeline: Timeline,
    readonly ns: Namespace,
    readonly proxy: FaultProxy,
    readonly databases: { customers: string; orders: string },
    readonly ports: { customer: number; order: number },
    public customerService: RunningService,
    readonly orderService: RunningService,
  ) {}

  static async start(): Promise<Mesh> {
    const dir = labDir('01-sync-mesh');
    const ns = await createNamespace('01');
    const [customers, orders] = await Promise.all([ns.createDatabase('customers'), ns.createDatabase('orders')]);
    const [customer, order] = await Promise.all([freePort(), freePort()]);
    const timeline = new Timeline();
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: customer }, name: 'proxy to customer-service', timeline });
    const [customerService, orderService] = await Promise.all([
      startService({ name: 'customer-service', entry: path.join(dir, 'customer-service/index.ts'), env: { DATABASE_URL: customers, PORT: String(customer) } }),
      startService({
        name: 'order-service',
        entry: path.join(dir, 'order-service/index.ts'),
        env: {
          DATABASE_URL: orders,
          PORT: String(order),
          CUSTOMER_SERVICE_URL: `http://127.0.0.1:${proxy.port}`,
          CUSTOMER_TIMEOUT_MS: String(CUSTOMER_TIMEOUT_MS),
        },
      }),
    ]);
    return new Mesh(timeline, ns, proxy, { customers, orders }, { customer, order }, customerService, orderService);
  }

  async stop(): Promise<void> {
    await Promise.all([this.customerService.kill(), this.orderService.kill()]);
    await this.proxy.close();
    await this.ns.drop();
  }

  async killCustomerService(): Promise<void> {
    this.timeline.note('customer-service SIGKILLed');
    await this.customerService.kill();
  }

  async restartCustomerService(): Promise<void> {
    this.customerService = await this.customerService.restart();
    this.timeline.note('customer-service restarted');
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
    const client = new pg.Client({ connectionString: this.databases.orders });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM orders WHERE customer_id = $1', [customerId]);
      return Number(rows[0]!.count);
    } finally {
      await client.end();
    }
  }

  /**
   * One HTTP exchange with a deadline of our own: if the service does not answer within `waitMs`, the
   * answer is status 0, so a hang fails a test with a message instead of stalling the grader.
   */
  async call(service: 'order-service' | 'customer-service', method: string, url: string, body?: unknown, waitMs = 3_000): Promise<HttpAnswer> {
    const port = service === 'order-service' ? this.ports.order : this.ports.customer;
    this.timeline.record({ from: 'grader', to: service, label: `${method} ${url}` });
    const answer = await httpCall(port, method, url, body, waitMs);
    const label = answer.status === 0 ? String(answer.body.error) : `${answer.status} ${String(answer.body.error ?? answer.body.state ?? '')}`.trim();
    this.timeline.record({ from: service, to: 'grader', label, failed: answer.status === 0 });
    return answer;
  }
}

/** A readable one-line description of an HTTP answer, for assertion messages. */
export function show(answer: HttpAnswer): string {
  return answer.status === 0 ? `no answer (${String(answer.body.error)})` : `${answer.status} ${JSON.stringify(answer.body)}`;
}
