import path from 'node:path';
import type { RunningService } from '#shared/harness/child-service.ts';
import { eventually, whileProgressing } from '#shared/harness/eventually.ts';
import type { MessageTap, TappedMessage } from '#shared/harness/message-tap.ts';
import { REPO_ROOT } from '#shared/harness/mutants.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';

export interface Order {
  id: string;
  sagaId: string;
  customerId: string;
  total: number;
  state: 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED';
  rejectionReason?: string;
}

export interface HistoryEntry {
  step: number;
  kind: 'command' | 'reply' | 'ignored' | 'local' | 'timeout' | 'retry' | 'state';
  messageType?: string;
  messageId?: string;
  detail?: string;
}

export interface Saga {
  id: string;
  state: 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED';
  currentStep: { number: number; name: string; kind: string; attempt: number };
  failure: string | null;
  history: HistoryEntry[];
}

/**
 * The order totals the participants' fault knobs react to (see shared/participants): each test picks the
 * fault of its saga by its total, so healthy and faulty sagas share one world.
 */
export const FAULT = {
  /** accounting-service declines the payment: the pivot fails. */
  declined: 666,
  /** kitchen-service refuses the ticket: step 3 fails. */
  refused: 777,
  /** kitchen-service creates the ticket but holds its reply: step 3 never answers. */
  kitchenSilent: 555,
  /** accounting-service holds its reply until released. */
  accountingHeld: 444,
  /** declined, and then customer-service fails the credit release three times. */
  declinedReleaseFails: 333,
} as const;

const TERMINAL = new Set(['COMPLETED', 'COMPENSATED']);
export const REPLIES = 'order-service.create-order-saga.replies';
const COMMANDS = ['customer-service', 'kitchen-service', 'accounting-service'].map((s) => `${s}.commands`);

/**
 * Lab 04's world: order-service (the orchestrator, from the tree under test) and the three participants
 * every orchestration lab shares (shared/participants), each with its own database and outbox. The tap
 * sees every command and every reply.
 */
export class OrchestrationWorld {
  private constructor(readonly world: World) {}

  static async start({ stepTimeoutMs = 1_500, retryDelayMs = 200 } = {}): Promise<OrchestrationWorld> {
    const participant = (name: string) => path.join(REPO_ROOT, 'shared/participants', name, 'index.ts');
    const world = await startWorld({
      lab: '04',
      outboxes: ['orders', 'customers', 'kitchen', 'accounting'],
      services: [
        {
          name: 'order-service',
          entry: path.join(labDir('04-orchestration'), 'order-service/index.ts'),
          database: 'orders',
          rabbitmq: true,
          env: { SAGA_STEP_TIMEOUT_MS: String(stepTimeoutMs), SAGA_RETRY_DELAY_MS: String(retryDelayMs) },
        },
        {
          name: 'customer-service',
          entry: participant('customer-service'),
          database: 'customers',
          rabbitmq: true,
          env: { RELEASE_FAILS_TOTAL: String(FAULT.declinedReleaseFails), RELEASE_FAILURES: '3' },
        },
        {
          name: 'kitchen-service',
          entry: participant('kitchen-service'),
          database: 'kitchen',
          rabbitmq: true,
          env: { KITCHEN_REFUSE_TOTAL: String(FAULT.refused), KITCHEN_HOLD_TOTAL: String(FAULT.kitchenSilent) },
        },
        {
          name: 'accounting-service',
          entry: participant('accounting-service'),
          database: 'accounting',
          rabbitmq: true,
          env: { ACCOUNTING_DECLINE_TOTAL: `${FAULT.declined},${FAULT.declinedReleaseFails}`, ACCOUNTING_HOLD_TOTAL: String(FAULT.accountingHeld) },
        },
      ],
      tap: { exchanges: [REPLIES, ...COMMANDS] },
      recordHttp: false,
    });
    return new OrchestrationWorld(world);
  }

  get timeline() {
    return this.world.timeline;
  }

  get tap(): MessageTap {
    return this.world.tap;
  }

  service(name: 'order-service' | 'customer-service' | 'kitchen-service' | 'accounting-service'): RunningService {
    return this.world.service(name);
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  async createCustomer(creditLimit: number): Promise<string> {
    const { status, body } = await this.world.call('customer-service', 'POST', '/customers', { name: 'lab 04 customer', creditLimit });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async creditReserved(customerId: string): Promise<number> {
    const { status, body } = await this.world.call('customer-service', 'GET', `/customers/${customerId}`);
    if (status !== 200) throw new Error(`reading customer ${customerId} failed: ${status} ${JSON.stringify(body)}`);
    return body.creditReserved as number;
  }

  createOrder(customerId: string, total: number): Promise<HttpAnswer> {
    return this.world.call('order-service', 'POST', '/orders', { customerId, total });
  }

  /** Creates an order and insists on the asynchronous API's answer: 202, the order's and the saga's ids. */
  async acceptedOrder(customerId: string, total: number): Promise<{ orderId: string; sagaId: string }> {
    const answer = await this.createOrder(customerId, total);
    if (answer.status !== 202) throw new Error(`POST /orders should accept the order with 202 and start its saga; it answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return { orderId: answer.body.id as string, sagaId: answer.body.sagaId as string };
  }

  async order(id: string): Promise<Order> {
    const { status, body } = await this.world.call('order-service', 'GET', `/orders/${id}`);
    if (status !== 200) throw new Error(`GET /orders/${id} answered ${status} ${JSON.stringify(body)}`);
    return body as unknown as Order;
  }

  async saga(id: string): Promise<Saga> {
    const { status, body } = await this.world.call('order-service', 'GET', `/sagas/${id}`);
    if (status !== 200) throw new Error(`GET /sagas/${id} answered ${status} ${JSON.stringify(body)}`);
    return body as unknown as Saga;
  }

  /** Waits until the saga is in a state `until` accepts; the error names where it stands. */
  async sagaUntil(id: string, until: (saga: Saga) => boolean, description: string, timeoutMs = 15_000): Promise<Saga> {
    let last: Saga | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.saga(id);
          return until(last) ? last : false;
        },
        { timeoutMs, intervalMs: 50, description },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nthe saga is ${last?.state} at step ${last?.currentStep.number} (${last?.currentStep.name}); its history: ${describeHistory(last)}`);
    }
  }

  /** Waits until the saga ended (COMPLETED or COMPENSATED). */
  ended(id: string, timeoutMs = 15_000): Promise<Saga> {
    return this.sagaUntil(id, (s) => TERMINAL.has(s.state), `saga ${id} to end`, timeoutMs);
  }

  releaseHeldReplies(service: 'kitchen-service' | 'accounting-service'): Promise<HttpAnswer> {
    return this.world.call(service, 'POST', '/admin/held-replies/release');
  }

  /** The commands and replies of one order, as they crossed the broker. */
  messagesOf(orderId: string): TappedMessage[] {
    return this.tap.messages.filter((m) => (m.body as { orderId?: string }).orderId === orderId);
  }

  /**
   * Publishes copies of these messages exactly as they first crossed (same ids, headers and bodies), with
   * the AMQP properties a command and a reply carry: the saga's correlation id, and a command's reply-to.
   */
  async redeliver(messages: TappedMessage[], sagaId: string): Promise<void> {
    for (const m of messages) {
      await this.world.broker.publish(m.exchange, m.routingKey, JSON.stringify(m.body), {
        messageId: m.id!,
        type: m.type!,
        headers: m.headers,
        correlationId: sagaId,
        contentType: 'application/json',
        ...(m.exchange === REPLIES ? {} : { replyTo: REPLIES }),
        ...(m.service ? { appId: m.service } : {}),
      });
    }
  }

  /** Reads `read` until the world is quiet (nothing left to relay or deliver) and the value stays put. */
  async onceQuiet<T>(read: () => Promise<T>): Promise<T> {
    const { value } = await whileProgressing(read, { quiet: () => this.world.quiet(), stillMs: 5_000, timeoutMs: 20_000 });
    return value;
  }

  /**
   * The end-of-file invariant, from each service's own database: every saga ended; each customer's reserved
   * credit is the sum of its approved orders; approved tickets and authorized payments are exactly the
   * approved orders.
   */
  async ledger() {
    const [sagas, approved, credit, tickets, authorizations] = await Promise.all([
      this.world.query<{ id: string; state: string }>('orders', "SELECT id, state FROM saga_instances WHERE state NOT IN ('COMPLETED', 'COMPENSATED')"),
      this.world.query<{ id: string; customer_id: string; total: number }>('orders', "SELECT id, customer_id, total FROM orders WHERE state = 'APPROVED'"),
      this.world.query<{ id: string; credit_reserved: number }>('customers', 'SELECT id, credit_reserved FROM customers'),
      this.world.query<{ order_id: string }>('kitchen', "SELECT order_id FROM tickets WHERE state = 'APPROVED'"),
      this.world.query<{ order_id: string }>('accounting', "SELECT order_id FROM authorizations WHERE state = 'AUTHORIZED'"),
    ]);
    const approvedByCustomer = new Map<string, number>();
    for (const o of approved) approvedByCustomer.set(o.customer_id, (approvedByCustomer.get(o.customer_id) ?? 0) + o.total);
    return {
      unfinishedSagas: sagas.map((s) => `${s.id} ${s.state}`),
      creditMismatches: credit.filter((c) => c.credit_reserved !== (approvedByCustomer.get(c.id) ?? 0)).map((c) => `customer ${c.id}: ${c.credit_reserved} reserved, ${approvedByCustomer.get(c.id) ?? 0} approved`),
      approvedOrders: approved.map((o) => o.id).sort(),
      approvedTickets: tickets.map((t) => t.order_id).sort(),
      authorizedPayments: authorizations.map((a) => a.order_id).sort(),
    };
  }
}

export function describeHistory(saga: Saga | undefined): string {
  if (!saga) return '(none read)';
  return saga.history.map((h) => `${h.step}:${h.kind}${h.messageType ? ` ${h.messageType}` : ''}${h.detail ? ` (${h.detail})` : ''}`).join(' → ');
}

/** The compensations the saga ran, in order: its commands and local actions after it started compensating. */
export function compensationsRun(saga: Saga): string[] {
  const start = saga.history.findIndex((h) => h.kind === 'state' && h.detail?.startsWith('COMPENSATING'));
  if (start < 0) return [];
  const types = saga.history.slice(start).filter((h) => h.kind === 'command' || h.kind === 'local').map((h) => h.messageType!);
  return types.filter((t, i) => types.indexOf(t) === i);
}
