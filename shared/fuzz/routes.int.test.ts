import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { hostileBody, hostileSegment } from './arbitraries.ts';
import { fuzzRoute, send, type Received, type Sent } from './fuzz-route.ts';
import { deadLettered, startSolution, type RunningLab } from './solutions.ts';

/**
 * Every route of the solutions of labs 01–03, attacked with generated requests (see arbitraries.ts). Bad input
 * must end at the door as a 4xx naming the field; accepted input must take effect, down to the last consumer.
 */

// PostgreSQL's integer maximum, written out rather than imported from the code under test.
const INT4_MAX = 2 ** 31 - 1;
const plausible = {
  name: fc.string({ minLength: 1, maxLength: 40 }),
  creditLimit: fc.integer({ min: 0, max: INT4_MAX }),
  amount: fc.integer({ min: 1, max: INT4_MAX }),
};
/** One of the ids known when the request is generated (they grow as the fuzz creates things). */
const pick = (known: () => string[]) => fc.nat().map((n) => known()[n % Math.max(known().length, 1)] ?? 'none-known-yet');
/** The body as the service saw it (through JSON: -0 became 0). */
const bodyOf = (sent: Sent) => (sent.body && 'json' in sent.body ? (JSON.parse(JSON.stringify(sent.body.json)) as Record<string, unknown>) : {});
const idOf = (received: Received) => String(received.body.id);

/** The ids the fuzz created or used, and what each 2xx promised, to check its effect afterwards. */
class Ledger {
  customers: string[] = [];
  orders: string[] = [];
  /** Per customer (lower case): credit that must be reserved, and orders that must have been seen. */
  expected = new Map<string, { reserved: number; orders: number }>();
  add(customerId: string, reserved: number, orders = 0): void {
    const entry = this.expected.get(customerId.toLowerCase());
    if (!entry) return; // a customer nobody created: its events must be harmless, nothing more
    entry.reserved += reserved;
    entry.orders += orders;
  }
}

async function customerCreated(lab: RunningLab, ledger: Ledger, sent: Sent, received: Received): Promise<void> {
  const id = idOf(received);
  ledger.customers.push(id);
  ledger.expected.set(id, { reserved: 0, orders: 0 });
  // What was accepted is what was stored: no character lost or changed on the way into PostgreSQL.
  const stored = await send(lab.ports.customer, { method: 'GET', path: `/customers/${id}` });
  expect(stored.body).toMatchObject(bodyOf(sent).creditLimit === undefined ? { name: bodyOf(sent).name } : { name: bodyOf(sent).name, creditLimit: bodyOf(sent).creditLimit });
}

async function expectCreditAsPromised(lab: RunningLab, ledger: Ledger, reserved: (id: string) => Promise<number> | number): Promise<void> {
  try {
    for (const [id] of ledger.expected) {
      await eventually(
        async () => {
          const customer = (await send(lab.ports.customer, { method: 'GET', path: `/customers/${id}` })).body;
          expect(customer.creditReserved).toBe(await reserved(id));
          if ('ordersSeen' in customer) expect(customer.ordersSeen).toBe(ledger.expected.get(id)!.orders);
        },
        { timeoutMs: 15_000, description: `customer ${id}: the accepted orders to take effect` },
      );
    }
  } catch (error) {
    // A lost effect is most often a dead-lettered event: say which and why.
    throw new Error(`${(error as Error).message}\ndead-letter queues: ${JSON.stringify(await deadLettered(lab), null, 2)}`, { cause: error });
  }
  const dead = Object.entries(await deadLettered(lab)).filter(([, { count }]) => count > 0);
  expect(dead, 'no accepted order may end in a dead-letter queue').toEqual([]);
}

function useLab(name: '01-sync-mesh' | '02-outbox' | '03-choreography') {
  const state = { lab: undefined as unknown as RunningLab, ledger: new Ledger() };
  beforeAll(async () => {
    state.lab = await startSolution(name);
  });
  afterAll(async () => state.lab?.stop());
  return state;
}

function customerRoutes(state: { lab: RunningLab; ledger: Ledger }, withCreditLimit: boolean) {
  const fields: Record<string, fc.Arbitrary<unknown>> = withCreditLimit ? { name: plausible.name, creditLimit: plausible.creditLimit } : { name: plausible.name };
  test('when POST /customers is fuzzed, then no 5xx and every accepted customer is stored as sent', async () => {
    const { lab, ledger } = state;
    await fuzzRoute({
      route: 'POST /customers',
      port: lab.ports.customer,
      services: lab.services,
      body: hostileBody(fields),
      fields: [...Object.keys(fields), '(body)'],
      onAccepted: (sent, received) => customerCreated(lab, ledger, sent, received),
    });
  });

  test('when GET /customers/:id is fuzzed, then no 5xx and a bad id is named', async () => {
    const { lab, ledger } = state;
    await fuzzRoute({ route: 'GET /customers/:id', port: lab.ports.customer, services: lab.services, params: { id: hostileSegment(() => ledger.customers) }, fields: ['id'] });
  });
}

function orderRoutes(state: { lab: RunningLab; ledger: Ledger }, onOrder: (sent: Sent, received: Received) => void, onCancel?: (received: Received) => void) {
  test('when POST /orders is fuzzed, then no 5xx and every accepted order is recorded', async () => {
    const { lab, ledger } = state;
    await fuzzRoute({
      route: 'POST /orders',
      port: lab.ports.order,
      services: lab.services,
      body: hostileBody({ customerId: fc.oneof(pick(() => ledger.customers), fc.uuid()), total: plausible.amount }),
      fields: ['customerId', 'total', '(body)'],
      onAccepted: (sent, received) => {
        ledger.orders.push(idOf(received));
        onOrder(sent, received);
      },
    });
  });

  test('when GET /orders/:id is fuzzed, then no 5xx and a bad id is named', async () => {
    const { lab, ledger } = state;
    await fuzzRoute({ route: 'GET /orders/:id', port: lab.ports.order, services: lab.services, params: { id: hostileSegment(() => ledger.orders) }, fields: ['id'] });
  });

  if (onCancel) {
    test('when POST /orders/:id/cancel is fuzzed, then no 5xx and a bad id is named', async () => {
      const { lab, ledger } = state;
      const params = { id: hostileSegment(() => ledger.orders) };
      await fuzzRoute({ route: 'POST /orders/:id/cancel', port: lab.ports.order, services: lab.services, params, fields: ['id'], onAccepted: (_, received) => onCancel(received) });
    });
  }
}

describe('fuzzing lab 01 (solution)', () => {
  const state = useLab('01-sync-mesh');
  const reservedFor = new Set<string>(); // order ids: a second reservation for one order changes nothing
  customerRoutes(state, true);

  test('when POST /customers/:id/credit-reservations is fuzzed, then no 5xx and every reservation holds credit', async () => {
    const { lab, ledger } = state;
    await fuzzRoute({
      route: 'POST /customers/:id/credit-reservations',
      port: lab.ports.customer,
      services: lab.services,
      params: { id: hostileSegment(() => ledger.customers) },
      body: hostileBody({ orderId: fc.oneof(fc.uuid(), pick(() => [...reservedFor])), amount: plausible.amount }),
      fields: ['id', 'orderId', 'amount', '(body)'],
      onAccepted: (sent) => {
        const { orderId, amount } = bodyOf(sent) as { orderId: string; amount: number };
        if (reservedFor.has(orderId.toLowerCase())) return;
        reservedFor.add(orderId.toLowerCase());
        ledger.add(decodeURIComponent(sent.path.split('/')[2]!), amount);
      },
    });
  });

  orderRoutes(state, (sent, received) => {
    reservedFor.add(idOf(received));
    state.ledger.add(String(bodyOf(sent).customerId), Number(bodyOf(sent).total));
  });

  test('when the fuzz is over, then every accepted order and reservation holds its credit', async () => {
    await expectCreditAsPromised(state.lab, state.ledger, (id) => state.ledger.expected.get(id)!.reserved);
  });
});

describe('fuzzing lab 02 (solution)', () => {
  const state = useLab('02-outbox');
  customerRoutes(state, false);
  orderRoutes(
    state,
    (sent) => {
      const { customerId, total } = bodyOf(sent) as { customerId: string; total: number };
      state.ledger.add(customerId, total, 1);
    },
    (received) => state.ledger.add(String(received.body.customerId), -Number(received.body.total)),
  );

  test('when the fuzz is over, then every accepted order took effect at customer-service and nothing was dead-lettered', async () => {
    await expectCreditAsPromised(state.lab, state.ledger, (id) => state.ledger.expected.get(id)!.reserved);
  });
});

describe('fuzzing lab 03 (solution)', () => {
  const state = useLab('03-choreography');
  customerRoutes(state, true);
  orderRoutes(state, () => {}, () => {});

  test('when the fuzz is over, then every accepted order was decided, its credit is held, and nothing was dead-lettered', async () => {
    const { lab, ledger } = state;
    const final = new Map<string, { customerId: string; total: number; state: string }>();
    for (const id of ledger.orders) {
      const order = await eventually(
        async () => {
          const { body } = await send(lab.ports.order, { method: 'GET', path: `/orders/${id}` });
          return body.state === 'APPROVAL_PENDING' ? false : (body as { customerId: string; total: number; state: string });
        },
        { timeoutMs: 15_000, description: `order ${id} to be decided` },
      );
      final.set(id, order);
    }
    const approved = (customerId: string) =>
      [...final.values()].filter((o) => o.customerId.toLowerCase() === customerId && o.state === 'APPROVED').reduce((sum, o) => sum + o.total, 0);
    await expectCreditAsPromised(lab, ledger, approved);
  });
});
