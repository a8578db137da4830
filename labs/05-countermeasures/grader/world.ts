import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { eventually, whileProgressing } from '#shared/harness/eventually.ts';
import { loadMutants, materializeVariant, REPO_ROOT } from '#shared/harness/mutants.ts';
import { labDir } from '#shared/harness/target.ts';
import { startWorld, type HttpAnswer, type World } from '#shared/harness/world.ts';

const LAB = '05-countermeasures';
export type OrderState = 'APPROVAL_PENDING' | 'CONFIRMATION_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCEL_PENDING' | 'CANCELLED';
export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: OrderState;
  /** One more on every change of the order (reread value). */
  version: number;
}
export interface Saga {
  id: string;
  type: string;
  state: 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED';
  currentStep: { number: number; name: string; kind: string; attempt: number };
  failure: string | null;
  history: Array<{ step: number; kind: string; messageType?: string; messageId?: string; detail?: string }>;
}

/** A saga's history in one line, for failure messages: `2:command ReserveCredit → 2:reply CreditReserved …`. */
export function describeHistory(saga: Saga | undefined): string {
  if (!saga) return '(none read)';
  return saga.history.map((h) => `${h.step}:${h.kind}${h.messageType ? ` ${h.messageType}` : ''}${h.detail ? ` (${h.detail})` : ''}`).join(' → ');
}

export interface Hold {
  saga: 'create-order-saga' | 'cancel-order-saga' | 'revise-order-saga';
  before: string;
  orderId?: string;
  customerId?: string;
  /** Park only the first matching saga, then disarm (two revisions of one order pass the same point). */
  once?: boolean;
}

/** The order total for which kitchen-service refuses to cancel the ticket (it started cooking). */
export const KITCHEN_REFUSES_CANCEL = 616;
const TERMINAL = new Set(['COMPLETED', 'COMPENSATED']);
const REPLIES = ['create-order-saga', 'cancel-order-saga', 'revise-order-saga'].map((s) => `order-service.${s}.replies`);
const COMMANDS = ['customer-service', 'kitchen-service', 'accounting-service'].map((s) => `${s}.commands`);

/**
 * The tree a world runs: `target`, the tree under test (the learner's, the solution or a mutant), or `naive`,
 * the solution with every countermeasure removed (solutions/05-countermeasures/mutants.ts, NAIVE), on which
 * each anomaly must happen: that proves the scenario reproduces it, so its absence on the target means
 * something.
 */
export async function treeOf(kind: 'target' | 'naive'): Promise<string> {
  if (kind === 'target') return labDir(LAB);
  const { NAIVE } = (await import(path.join(REPO_ROOT, 'solutions', LAB, 'mutants.ts'))) as { NAIVE: string[] };
  const mutants = (await loadMutants(LAB)).filter((m) => NAIVE.includes(m.id));
  return materializeVariant(LAB, 'naive', mutants);
}

/**
 * Lab 05's world: order-service (two sagas, with pause points), accounting-service (its payment decision) and
 * customer-service (its credit write, with a pause point) from one tree, kitchen-service from
 * shared/participants; a tap on every command and reply.
 */
export class CountermeasuresWorld {
  private constructor(readonly world: World) {}

  static async start(kind: 'target' | 'naive'): Promise<CountermeasuresWorld> {
    const tree = await treeOf(kind);
    const participant = (name: string) => path.join(REPO_ROOT, 'shared/participants', name, 'index.ts');
    const world = await startWorld({
      lab: '05',
      outboxes: ['orders', 'customers', 'kitchen', 'accounting'],
      services: [
        // No step needs a timeout here: a held saga waits without a deadline. 30 s only catches a lost reply, and
        // leaves room for a command parked at customer-service's pause point on a busy machine.
        { name: 'order-service', entry: path.join(tree, 'order-service/index.ts'), database: 'orders', rabbitmq: true, env: { SAGA_TEST_HOOKS: '1', SAGA_STEP_TIMEOUT_MS: '30000', SAGA_RETRY_DELAY_MS: '200' } },
        // Its credit write is the tree's (commutative updates); the hooks mount its pause point (credit-scenarios.ts).
        { name: 'customer-service', entry: path.join(tree, 'customer-service/index.ts'), database: 'customers', rabbitmq: true, env: { SAGA_TEST_HOOKS: '1' } },
        { name: 'kitchen-service', entry: participant('kitchen-service'), database: 'kitchen', rabbitmq: true, env: { KITCHEN_CANCEL_REFUSE_TOTAL: String(KITCHEN_REFUSES_CANCEL) } },
        { name: 'accounting-service', entry: path.join(tree, 'accounting-service/index.ts'), database: 'accounting', rabbitmq: true },
      ],
      tap: { exchanges: [...REPLIES, ...COMMANDS] },
      recordHttp: false,
    });
    return new CountermeasuresWorld(world);
  }

  get timeline() {
    return this.world.timeline;
  }

  stop(): Promise<void> {
    return this.world.stop();
  }

  async createCustomer(creditLimit: number): Promise<string> {
    const { status, body } = await this.world.call('customer-service', 'POST', '/customers', { name: 'lab 05 customer', creditLimit });
    if (status !== 201) throw new Error(`setting up a customer failed: ${status} ${JSON.stringify(body)}`);
    return body.id as string;
  }

  async creditReserved(customerId: string): Promise<number> {
    const { status, body } = await this.world.call('customer-service', 'GET', `/customers/${customerId}`);
    if (status !== 200) throw new Error(`reading customer ${customerId} failed: ${status} ${JSON.stringify(body)}`);
    return body.creditReserved as number;
  }

  /** POST /orders, insisting on 202 and the order's and the saga's ids. */
  async acceptedOrder(customerId: string, total: number): Promise<{ orderId: string; sagaId: string }> {
    const answer = await this.world.call('order-service', 'POST', '/orders', { customerId, total });
    if (answer.status !== 202) throw new Error(`POST /orders should accept the order with 202; it answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return { orderId: answer.body.id as string, sagaId: answer.body.sagaId as string };
  }

  /** POST /orders/:id/cancel, with the Retry-After header a locked order answers with. */
  cancel(orderId: string): Promise<HttpAnswer & { retryAfter: string | null }> {
    return this.orderAction(orderId, 'cancel');
  }

  /** POST /orders/:id/confirm: the confirmation a high-value order waits for (by value). */
  confirm(orderId: string): Promise<HttpAnswer & { retryAfter: string | null }> {
    return this.orderAction(orderId, 'confirm');
  }

  private async orderAction(orderId: string, action: 'cancel' | 'confirm'): Promise<HttpAnswer & { retryAfter: string | null }> {
    const response = await fetch(`http://127.0.0.1:${this.world.addresses.port('order-service')}/orders/${orderId}/${action}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    this.world.timeline.record({ from: 'grader', to: 'order-service', label: `POST /orders/${orderId.slice(0, 8)}…/${action} → ${response.status}` });
    return { status: response.status, body, location: response.headers.get('location'), retryAfter: response.headers.get('retry-after'), ms: 0 };
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

  async sagaUntil(id: string, until: (saga: Saga) => boolean, description: string, timeoutMs = 15_000): Promise<Saga> {
    let last: Saga | undefined;
    try {
      return await eventually(async () => ((last = await this.saga(id)), until(last) ? last : false), { timeoutMs, intervalMs: 50, description });
    } catch (error) {
      throw new Error(`${(error as Error).message}\nthe saga is ${last?.state} at step ${last?.currentStep.number} (${last?.currentStep.name}); its history: ${describeHistory(last)}`);
    }
  }

  ended(id: string): Promise<Saga> {
    return this.sagaUntil(id, (s) => TERMINAL.has(s.state), `saga ${id} to end`);
  }

  /** Arms a pause point: every saga the hold matches stops just before the step `before`. */
  async hold(hold: Hold): Promise<void> {
    const answer = await this.world.call('order-service', 'POST', '/admin/holds', hold);
    if (answer.status !== 201) throw new Error(`arming the hold failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    this.world.timeline.note(`grader: hold ${hold.saga} before "${hold.before}"`);
  }

  /** Waits until the saga is parked by a hold before the step `before`. */
  heldBefore(sagaId: string, before: string): Promise<Saga> {
    return this.sagaUntil(sagaId, (s) => s.state === 'RUNNING' && s.currentStep.name === before && s.history.at(-1)?.detail?.startsWith('HELD') === true, `saga ${sagaId} to be held before "${before}"`);
  }

  async release(hold: Hold): Promise<number> {
    const answer = await this.world.call('order-service', 'POST', '/admin/holds/release', hold);
    if (answer.status !== 200) throw new Error(`releasing the hold failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    this.world.timeline.note(`grader: release ${hold.saga} before "${hold.before}"`);
    return answer.body.released as number;
  }

  /**
   * Sends one command to accounting-service as a saga would, and waits for its reply: the grader plays two
   * sagas whose commands crossed. The reply goes to order-service, which knows no such saga and drops it.
   */
  async sendToAccounting(type: 'AuthorizePayment' | 'CancelAuthorization', payload: { orderId: string; customerId: string; total: number }): Promise<string> {
    const id = randomUUID();
    await this.world.broker.publish('accounting-service.commands', `${type}.${payload.orderId}`, JSON.stringify(payload), {
      messageId: id,
      type,
      correlationId: randomUUID(),
      replyTo: REPLIES[0],
      contentType: 'application/json',
      appId: 'grader',
    });
    const reply = await this.world.tap.waitFor((m) => m.headers['x-kit-causation-id'] === id, 10_000);
    return reply.type!;
  }

  async authorization(orderId: string): Promise<string | undefined> {
    const rows = await this.world.query<{ state: string }>('accounting', 'SELECT state FROM authorizations WHERE order_id = $1', [orderId]);
    return rows[0]?.state;
  }

  async ticket(orderId: string): Promise<string | undefined> {
    const rows = await this.world.query<{ state: string }>('kitchen', 'SELECT state FROM tickets WHERE order_id = $1', [orderId]);
    return rows[0]?.state;
  }

  /**
   * The global invariants, from each service's own database once the world is quiet: every saga ended; no
   * customer over the limit; each customer's reserved credit is the sum of its approved orders; money is held
   * (AUTHORIZED) for exactly the approved orders, so none for a cancelled one. An order awaiting its
   * confirmation (by value) holds credit and money as an approved one does.
   */
  async invariants() {
    const read = async () => {
      const [sagas, approved, customers, authorized] = await Promise.all([
        this.world.query<{ id: string; type: string; state: string }>('orders', "SELECT id, type, state FROM saga_instances WHERE state NOT IN ('COMPLETED', 'COMPENSATED')"),
        this.world.query<{ id: string; customer_id: string; total: number }>('orders', "SELECT id, customer_id, total FROM orders WHERE state IN ('APPROVED', 'CONFIRMATION_PENDING')"),
        this.world.query<{ id: string; credit_limit: number; credit_reserved: number }>('customers', 'SELECT id, credit_limit, credit_reserved FROM customers'),
        this.world.query<{ order_id: string }>('accounting', "SELECT order_id FROM authorizations WHERE state = 'AUTHORIZED'"),
      ]);
      const approvedSum = new Map<string, number>();
      for (const o of approved) approvedSum.set(o.customer_id, (approvedSum.get(o.customer_id) ?? 0) + o.total);
      return {
        unfinishedSagas: sagas.map((s) => `${s.type} ${s.id} ${s.state}`),
        overLimit: customers.filter((c) => c.credit_reserved > c.credit_limit).map((c) => `customer ${c.id}: ${c.credit_reserved} reserved, limit ${c.credit_limit}`),
        creditMismatches: customers.filter((c) => c.credit_reserved !== (approvedSum.get(c.id) ?? 0)).map((c) => `customer ${c.id}: ${c.credit_reserved} reserved, ${approvedSum.get(c.id) ?? 0} approved`),
        approvedOrders: approved.map((o) => o.id).sort(),
        authorizedPayments: authorized.map((a) => a.order_id).sort(),
      };
    };
    const { value } = await whileProgressing(read, { quiet: () => this.world.quiet(), stillMs: 5_000, timeoutMs: 20_000 });
    return value;
  }
}
