import path from 'node:path';
import { eventually } from '#shared/harness/eventually.ts';
import type { TappedMessage } from '#shared/harness/message-tap.ts';
import { REPO_ROOT } from '#shared/harness/mutants.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';
import { expectedView, sortView, type Event, type ExpectedView } from './model.ts';

export const LOGS = ['customer-service', 'order-service', 'kitchen-service', 'accounting-service'] as const;
const KNOWN_TYPES = new Set(['CustomerCreated', 'CustomerCreditLimitChanged', 'OrderCreated', 'OrderApproved', 'OrderRejected', 'TicketCreated', 'TicketApproved', 'TicketRejected', 'PaymentAuthorized', 'PaymentDeclined']);

/** Orders of this total have their payment declined by the order-flow stand-in. */
export const DECLINED_TOTAL = 666;

/**
 * Lab 07's world: customer-service and the order-flow stand-in (shared/participants) publishing to their
 * retained logs, and order-history-service (the view, from the tree under test) reading them. The tap sees
 * every event of every log, the grader's own included: what the view must show is computed from it.
 */
export class ViewWorld {
  private constructor(readonly world: World) {}

  static async start(): Promise<ViewWorld> {
    const participant = (name: string) => path.join(REPO_ROOT, 'shared/participants', name, 'index.ts');
    const world = await startWorld({
      lab: '07',
      outboxes: ['customers', 'order_flow'],
      services: [
        { name: 'customer-service', entry: participant('customer-service'), database: 'customers', rabbitmq: true },
        { name: 'order-flow-service', entry: participant('order-flow-service'), database: 'order_flow', rabbitmq: true, env: { ORDER_FLOW_DECLINE_TOTAL: String(DECLINED_TOTAL) } },
        { name: 'order-history-service', entry: path.join(labDir('07-cqrs-view'), 'order-history-service/index.ts'), database: 'order_history', rabbitmq: true },
      ],
      tap: { exchanges: LOGS.map((log) => `${log}.events`) },
      recordHttp: false,
    });
    return new ViewWorld(world);
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  get view() {
    return this.world.service('order-history-service');
  }

  call(service: string, method: string, url: string, body?: unknown, waitMs?: number): Promise<HttpAnswer> {
    return this.world.call(service, method, url, body, waitMs);
  }

  /** Fails fast, with the service's own words, when the view applies nothing (the starter, say). */
  async ready(): Promise<void> {
    const customerId = crypto.randomUUID();
    await this.publish([{ log: 'customer-service', id: crypto.randomUUID(), type: 'CustomerCreated', payload: { customerId, name: 'warm-up', creditLimit: 1, version: 1 } }]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if ((await this.call('order-history-service', 'GET', `/customers/${customerId}/orders`)).status === 200) return;
      const error = (await this.status().catch(() => undefined))?.active?.lastError;
      if (error && /not done yet/.test(error)) throw new Error(`order-history-service cannot apply events: ${error}`);
      if (Date.now() > deadline) throw new Error('order-history-service did not apply a first CustomerCreated within 10 s (GET /customers/:id/orders never answered 200)');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async status(): Promise<{ active?: { generation: number; lastError: string | null; appliedSinceStart: number; offsets: Record<string, number> }; rebuilding?: { generation: number; held: boolean } | null }> {
    const { status, body } = await this.call('order-history-service', 'GET', '/admin/status');
    if (status !== 200) throw new Error(`GET /admin/status answered ${status} ${JSON.stringify(body)}`);
    return body as never;
  }

  /** Publishes events to their logs as their publishers would (same exchange, routing key and properties). */
  async publish(events: readonly Event[]): Promise<void> {
    for (const e of events) {
      const key = (e.payload.orderId ?? e.payload.customerId) as string;
      await this.world.broker.publish(`${e.log}.events`, `${e.type}.${key}`, JSON.stringify(e.payload), { messageId: e.id, type: e.type, contentType: 'application/json', appId: `${e.log} (grader)` });
    }
  }

  /** Every event of a known type that crossed the logs so far (poison entries left out), as the model's events. */
  events(): Event[] {
    return this.world.tap.messages.filter((m) => m.id && m.type && KNOWN_TYPES.has(m.type) && typeof m.body === 'object').map((m: TappedMessage) => ({ log: m.exchange.replace(/\.events$/, '') as Event['log'], id: m.id!, type: m.type!, payload: m.body as Event['payload'] }));
  }

  /** What the view must show of these customers and orders, from every event the tap saw. */
  expected(ids?: Set<string>): ExpectedView {
    return only(expectedView(this.events()), ids);
  }

  /** The view's live generation, read from its database. */
  async dump(ids?: Set<string>): Promise<ExpectedView> {
    const [state] = await this.world.query<{ g: number }>('order_history', 'SELECT active_generation AS g FROM view_state');
    const customers = await this.world.query<{ customerId: string; name: string | null; creditLimit: number | null; orderCount: number; orderedTotal: number }>(
      'order_history',
      'SELECT customer_id AS "customerId", name, credit_limit AS "creditLimit", order_count AS "orderCount", ordered_total::int AS "orderedTotal" FROM customer_view WHERE generation = $1',
      [state!.g],
    );
    const orders = await this.world.query<ExpectedView['orders'][number]>(
      'order_history',
      'SELECT order_id AS "orderId", customer_id AS "customerId", total, description, state, rejection_reason AS "rejectionReason", ticket, payment FROM order_view WHERE generation = $1',
      [state!.g],
    );
    return only(sortView({ customers, orders }), ids);
  }

  /** Waits until the view shows exactly what the events say (of `ids`, or of everything). */
  async converged(ids?: Set<string>, timeoutMs = 20_000): Promise<void> {
    let last: { dump: ExpectedView; expected: ExpectedView } | undefined;
    try {
      await eventually(
        async () => {
          last = { dump: await this.dump(ids), expected: this.expected(ids) };
          return JSON.stringify(last.dump) === JSON.stringify(last.expected);
        },
        { timeoutMs, intervalMs: 100, description: 'the view to show what the events say' },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${describeDifference(last)}`);
    }
  }
}

function only(view: ExpectedView, ids?: Set<string>): ExpectedView {
  if (!ids) return view;
  return { customers: view.customers.filter((c) => ids.has(c.customerId)), orders: view.orders.filter((o) => ids.has(o.orderId)) };
}

export function idsOf(events: readonly Event[]): Set<string> {
  return new Set(events.flatMap((e) => [e.payload.customerId, e.payload.orderId].filter((id): id is string => typeof id === 'string')));
}

/** The first documents that differ, said plainly. */
export function describeDifference(last: { dump: ExpectedView; expected: ExpectedView } | undefined): string {
  if (!last) return '(the view could not be read)';
  const lines: string[] = [];
  for (const kind of ['customers', 'orders'] as const) {
    const key = kind === 'customers' ? 'customerId' : 'orderId';
    const shown = new Map(last.dump[kind].map((d) => [(d as unknown as Record<string, unknown>)[key] as string, d]));
    for (const want of last.expected[kind]) {
      const id = (want as unknown as Record<string, unknown>)[key] as string;
      const got = shown.get(id);
      if (JSON.stringify(got) !== JSON.stringify(want)) lines.push(`${kind.slice(0, -1)} ${id}: the view has ${JSON.stringify(got ?? 'nothing')}, the events say ${JSON.stringify(want)}`);
      shown.delete(id);
    }
    for (const [id, extra] of shown) lines.push(`${kind.slice(0, -1)} ${id}: the view has ${JSON.stringify(extra)}, which no event says`);
  }
  return `${lines.length} document(s) differ; the first ones:\n${lines.slice(0, 5).join('\n')}`;
}
