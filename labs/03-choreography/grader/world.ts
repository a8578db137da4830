import path from 'node:path';
import { expect } from 'vitest';
import { freePort, startService, type RunningService } from '#shared/harness/child-service.ts';
import { httpCall, type HttpAnswer } from '#shared/harness/http-call.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { startTap, type MessageTap } from '#shared/harness/message-tap.ts';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';
import { labDir } from '#shared/harness/target.ts';
import { Timeline } from '#shared/harness/timeline.ts';

export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
  rejectionReason?: string;
}

export type Answer = HttpAnswer;

const TERMINAL = new Set(['APPROVED', 'REJECTED', 'CANCELLED']);

/**
 * Lab 03's world: order-service and customer-service, each with its own database and its own outbox relay,
 * talking only through RabbitMQ. A tap records both services' events for assertions and timelines.
 */
export class SagaWorld {
  private constructor(
    readonly timeline: Timeline,
    readonly ns: Namespace,
    readonly ports: { order: number; customer: number },
    readonly tap: MessageTap,
    readonly orderService: RunningService,
    readonly customerService: RunningService,
  ) {}

  /** `consumers`: how many messages customer-service handles side by side. */
  static async start({ consumers = 1 } = {}): Promise<SagaWorld> {
    const dir = labDir('03-choreography');
    const timeline = new Timeline();
    const ns = await createNamespace('03');
    const [orders, customers] = await Promise.all([ns.createDatabase('orders'), ns.createDatabase('customers')]);
    const [order, customer] = await Promise.all([freePort(), freePort()]);
    const common = { AMQP_URL: ns.amqpUrl, KIT_PREFIX: ns.id };
    const [orderService, customerService] = await Promise.all([
      startService({ name: 'order-service', entry: path.join(dir, 'order-service/index.ts'), env: { ...common, DATABASE_URL: orders, PORT: String(order) }, timeline }),
      startService({
        name: 'customer-service',
        entry: path.join(dir, 'customer-service/index.ts'),
        env: { ...common, DATABASE_URL: customers, PORT: String(customer), CONSUMERS: String(consumers) },
        timeline,
      }),
    ]);
    const tap = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: ['order-events', 'customer-events'], timeline });
    return new SagaWorld(timeline, ns, { order, customer }, tap, orderService, customerService);
  }

  async stop(): Promise<void> {
    await Promise.all([this.orderService.kill(), this.customerService.kill()]);
    await this.tap.stop().catch(() => {});
    await this.ns.drop();
  }

  async createCustomer(creditLimit: number): Promise<string> {
    const { status, body } = await this.http(this.ports.customer, 'POST', '/customers', { name: 'lab 03 customer', creditLimit });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async customer(id: string): Promise<{ creditLimit: number; creditReserved: number }> {
    const { status, body } = await this.http(this.ports.customer, 'GET', `/customers/${id}`);
    if (status !== 200) throw new Error(`reading customer ${id} failed: ${status} ${JSON.stringify(body)}`);
    return body as { creditLimit: number; creditReserved: number };
  }

  createOrder(customerId: string, total: number): Promise<Answer> {
    return this.http(this.ports.order, 'POST', '/orders', { customerId, total });
  }

  async order(id: string): Promise<Order> {
    const { status, body } = await this.http(this.ports.order, 'GET', `/orders/${id}`);
    if (status !== 200) throw new Error(`GET /orders/${id} answered ${status} ${JSON.stringify(body)}`);
    return body as unknown as Order;
  }

  cancelOrder(id: string): Promise<Answer> {
    return this.http(this.ports.order, 'POST', `/orders/${id}/cancel`);
  }

  /** Polls GET /orders/:id, as a client of the asynchronous API would, until the saga ended. */
  async settled(id: string, timeoutMs = 10_000): Promise<Order> {
    return eventually(
      async () => {
        const order = await this.order(id);
        return TERMINAL.has(order.state) ? order : false;
      },
      { timeoutMs, description: `order ${id} to leave APPROVAL_PENDING (is customer-service answering, and is order-service consuming the answer?)` },
    );
  }

  /**
   * Waits until every order's saga ended. One sweep at a time over the orders still pending (not one poller
   * per order, which would flood order-service with hundreds of requests every few milliseconds). Gives up
   * when nothing has moved for 10 s.
   */
  async settledAll(ids: string[]): Promise<Order[]> {
    const done = new Map<string, Order>();
    let lastProgress = Date.now();
    while (done.size < ids.length) {
      const pending = ids.filter((id) => !done.has(id));
      for (let i = 0; i < pending.length; i += 20) {
        const batch = await Promise.all(pending.slice(i, i + 20).map((id) => this.order(id)));
        for (const order of batch) if (TERMINAL.has(order.state)) done.set(order.id, order);
      }
      if (done.size === ids.length) break;
      if (pending.length !== ids.length - done.size) lastProgress = Date.now();
      if (Date.now() - lastProgress > 10_000) {
        throw new Error(`${ids.length - done.size} of ${ids.length} orders are still APPROVAL_PENDING and nothing has moved for 10 s: is customer-service answering, and is order-service consuming the answers?`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return ids.map((id) => done.get(id)!);
  }

  /** Creates an order and expects the asynchronous API's answer: 202 with the order id and a Location. */
  async acceptedOrder(customerId: string, total: number): Promise<string> {
    const answer = await this.createOrder(customerId, total);
    expect(answer.status, `POST /orders should accept the order with 202 and decide later; it answered ${answer.status} ${JSON.stringify(answer.body)}`).toBe(202);
    expect(answer.location, 'the 202 should carry a Location header pointing at the order').toBe(`/orders/${String(answer.body.id)}`);
    return answer.body.id as string;
  }

  /**
   * The invariant each test file ends with: every saga ended, and each customer's reserved credit is the sum
   * of its approved orders (no credit held for a rejected or cancelled order, none counted twice).
   */
  async expectConsistent(orderIds: string[]): Promise<void> {
    const orders = await this.settledAll(orderIds);
    const byCustomer = new Map<string, number>();
    for (const o of orders) byCustomer.set(o.customerId, (byCustomer.get(o.customerId) ?? 0) + (o.state === 'APPROVED' ? o.total : 0));
    for (const [customerId, approved] of byCustomer) {
      const exists = await this.customer(customerId).then(
        () => true,
        () => false,
      );
      if (!exists) continue; // an unknown customer holds nothing
      await eventually(async () => (await this.customer(customerId)).creditReserved === approved, { timeoutMs: 5_000 }).catch(() => {});
      expect((await this.customer(customerId)).creditReserved, `customer ${customerId}: reserved credit should equal the sum of its approved orders`).toBe(approved);
    }
  }

  http(port: number, method: string, url: string, body?: unknown): Promise<Answer> {
    return httpCall(port, method, url, body);
  }
}
