import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { RunningService } from '#shared/harness/child-service.ts';
import { eventually, whileProgressing } from '#shared/harness/eventually.ts';
import type { MessageTap, TappedMessage } from '#shared/harness/message-tap.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';

export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
  rejectionReason?: string;
}

export type Answer = HttpAnswer;

/**
 * A new answer modelled on one customer-service sent, for another order: a fresh message id (so no
 * processed-messages record drops it) and the other order's id in its body.
 */
export function answerFor(template: TappedMessage, orderId: string): TappedMessage {
  return { ...template, id: randomUUID(), body: { ...(template.body as object), orderId } };
}

const TERMINAL = new Set(['APPROVED', 'REJECTED', 'CANCELLED']);

/**
 * Lab 03's world: order-service and customer-service, each with its own database and its own outbox relay,
 * talking only through RabbitMQ. A tap records both services' events for assertions and timelines.
 */
export class SagaWorld {
  private constructor(readonly world: World) {}

  /** `consumers`: how many messages customer-service handles side by side. */
  static async start({ consumers = 1 } = {}): Promise<SagaWorld> {
    const dir = labDir('03-choreography');
    const world = await startWorld({
      lab: '03',
      outboxes: ['orders', 'customers'],
      services: [
        { name: 'order-service', entry: path.join(dir, 'order-service/index.ts'), database: 'orders', rabbitmq: true },
        { name: 'customer-service', entry: path.join(dir, 'customer-service/index.ts'), database: 'customers', rabbitmq: true, env: { CONSUMERS: String(consumers) } },
      ],
      tap: { exchanges: ['order-events', 'customer-events'] },
      recordHttp: false,
    });
    return new SagaWorld(world);
  }

  get timeline() {
    return this.world.timeline;
  }

  get tap(): MessageTap {
    return this.world.tap;
  }

  get orderService(): RunningService {
    return this.world.service('order-service');
  }

  get customerService(): RunningService {
    return this.world.service('customer-service');
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  async createCustomer(creditLimit: number): Promise<string> {
    const { status, body } = await this.http('customer-service', 'POST', '/customers', { name: 'lab 03 customer', creditLimit });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async customer(id: string): Promise<{ creditLimit: number; creditReserved: number }> {
    const { status, body } = await this.http('customer-service', 'GET', `/customers/${id}`);
    if (status !== 200) throw new Error(`reading customer ${id} failed: ${status} ${JSON.stringify(body)}`);
    return body as { creditLimit: number; creditReserved: number };
  }

  createOrder(customerId: string, total: number): Promise<Answer> {
    return this.http('order-service', 'POST', '/orders', { customerId, total });
  }

  async order(id: string): Promise<Order> {
    const { status, body } = await this.http('order-service', 'GET', `/orders/${id}`);
    if (status !== 200) throw new Error(`GET /orders/${id} answered ${status} ${JSON.stringify(body)}`);
    return body as unknown as Order;
  }

  cancelOrder(id: string): Promise<Answer> {
    return this.http('order-service', 'POST', `/orders/${id}/cancel`);
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
   * per order, which would flood order-service). Gives up once the world is quiet (no event left to relay or
   * deliver) or, failing that, when nothing has moved for 10 s.
   */
  async settledAll(ids: string[]): Promise<Order[]> {
    const done = new Map<string, Order>();
    const { why } = await whileProgressing(
      async () => {
        const pending = ids.filter((id) => !done.has(id));
        for (let i = 0; i < pending.length; i += 20) {
          const batch = await Promise.all(pending.slice(i, i + 20).map((id) => this.order(id)));
          for (const order of batch) if (TERMINAL.has(order.state)) done.set(order.id, order);
        }
        return done.size;
      },
      { final: (settled) => settled === ids.length, quiet: () => this.world.quiet(), stillMs: 10_000, timeoutMs: 60_000, intervalMs: 100 },
    );
    if (why !== 'final') {
      const moving = why === 'quiet' ? 'no event is left to relay or deliver' : why === 'still' ? 'nothing has moved for 10 s' : 'they were still moving after 60 s';
      throw new Error(`${ids.length - done.size} of ${ids.length} orders are still APPROVAL_PENDING and ${moving}: is customer-service answering, and is order-service consuming the answers?`);
    }
    return ids.map((id) => done.get(id)!);
  }

  /**
   * Creates an order and insists on the asynchronous API's answer: 202 with the order id and a Location.
   * A plain error rather than an assertion, so that demos can use this world without loading vitest.
   */
  async acceptedOrder(customerId: string, total: number): Promise<string> {
    const answer = await this.createOrder(customerId, total);
    if (answer.status !== 202) throw new Error(`POST /orders should accept the order with 202 and decide later; it answered ${answer.status} ${JSON.stringify(answer.body)}`);
    if (answer.location !== `/orders/${String(answer.body.id)}`) throw new Error(`the 202 should carry a Location header pointing at the order; it carried ${String(answer.location)}`);
    return answer.body.id as string;
  }

  /**
   * Once every saga ended: each customer's reserved credit next to the sum of its approved orders. A release
   * (of a cancelled order) may still be on its way, so each figure is read once it matches or the world is quiet.
   */
  async creditAgainstApproved(orderIds: string[]): Promise<Array<{ customerId: string; approved: number; reserved: number }>> {
    const orders = await this.settledAll(orderIds);
    const byCustomer = new Map<string, number>();
    for (const o of orders) byCustomer.set(o.customerId, (byCustomer.get(o.customerId) ?? 0) + (o.state === 'APPROVED' ? o.total : 0));
    const figures = [];
    for (const [customerId, approved] of byCustomer) {
      const exists = await this.customer(customerId).then(
        () => true,
        () => false,
      );
      if (!exists) continue; // an unknown customer holds nothing
      const { value: reserved } = await whileProgressing(async () => (await this.customer(customerId)).creditReserved, {
        final: (r) => r === approved,
        quiet: () => this.world.quiet(),
      });
      figures.push({ customerId, approved, reserved });
    }
    return figures;
  }

  http(service: 'order-service' | 'customer-service', method: string, url: string, body?: unknown): Promise<Answer> {
    return this.world.call(service, method, url, body);
  }
}
