import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { importFromTarget } from '#shared/harness/target.ts';
import { deliveryOf, eventsOf, expectedView, histories, lifeOf, sortView, type Event } from './model.ts';

type Projection = typeof import('../order-history-service/domain/projection.ts');
type Rebuild = typeof import('../order-history-service/domain/rebuild.ts');
const { apply, touches } = await importFromTarget<Projection>('07-cqrs-view', 'order-history-service/domain/projection.ts');
const { caughtUp, resumeFrom } = await importFromTarget<Rebuild>('07-cqrs-view', 'order-history-service/domain/rebuild.ts');
type Slice = ReturnType<Projection['apply']>;
type CustomerView = NonNullable<Slice['customer']>;
type OrderView = NonNullable<Slice['order']>;
type ViewEvent = Parameters<Projection['apply']>[1];

/** An in-memory view: what the service's store does, without the database. */
function project(events: Event[]) {
  const customers = new Map<string, CustomerView>();
  const orders = new Map<string, OrderView>();
  for (const e of events) {
    const event = { type: e.type, payload: e.payload } as ViewEvent;
    const ids = touches(event);
    const slice: Slice = {};
    if (ids.customerId && customers.has(ids.customerId)) slice.customer = customers.get(ids.customerId)!;
    if (ids.orderId && orders.has(ids.orderId)) slice.order = orders.get(ids.orderId)!;
    const after = apply(slice, event);
    if (after.customer) customers.set(after.customer.customerId, after.customer);
    if (after.order) orders.set(after.order.orderId, after.order);
  }
  return sortView({
    customers: [...customers.values()].map(({ customerId, name, creditLimit, orderCount, orderedTotal }) => ({ customerId, name, creditLimit, orderCount, orderedTotal })),
    orders: [...orders.values()].map(({ versions: _v, ...o }) => o),
  });
}

const C = '11111111-1111-4111-8111-111111111111';
const O = '22222222-2222-4222-8222-222222222222';
const created: Event = { log: 'customer-service', id: 'e1', type: 'CustomerCreated', payload: { customerId: C, name: 'Ada Lovelace', creditLimit: 1_000, version: 1 } };
const raised: Event = { log: 'customer-service', id: 'e2', type: 'CustomerCreditLimitChanged', payload: { customerId: C, creditLimit: 5_000, version: 2 } };

describe('lab 07: the projection, pure (apply(view, event))', () => {
  test('when the credit limit changes before the customer was created (CustomerCreditLimitChanged arrives first), then the view ends with the new limit and the customer’s name', () => {
    const view = project([raised, created]);
    expect(view.customers, 'the creation came last: it must add the name, and must not put the older limit back').toEqual([{ customerId: C, name: 'Ada Lovelace', creditLimit: 5_000, orderCount: 0, orderedTotal: 0 }]);
  });

  test('when the customer is created and then its limit changes, then the view shows the name and the new limit', () => {
    expect(project([created, raised]).customers).toEqual([{ customerId: C, name: 'Ada Lovelace', creditLimit: 5_000, orderCount: 0, orderedTotal: 0 }]);
  });

  test('when an order’s events arrive twice, then the customer counts the order once', () => {
    const life = lifeOf(C, { orderId: O, total: 700, description: 'pad thai', declined: false });
    const view = project([created, ...life, ...life]);
    expect(view.customers[0], 'a duplicate counted again').toMatchObject({ orderCount: 1, orderedTotal: 700 });
    expect(view.orders[0]).toMatchObject({ state: 'APPROVED', ticket: 'APPROVED', payment: 'AUTHORIZED' });
  });

  test('when OrderApproved arrives before OrderCreated, then the order stays APPROVED and still gets its description', () => {
    const [orderCreated, , , , orderApproved] = lifeOf(C, { orderId: O, total: 700, description: 'pad thai', declined: false });
    const view = project([orderApproved!, orderCreated!]);
    expect(view.orders[0], 'an older event overwrote a newer state').toMatchObject({ state: 'APPROVED', description: 'pad thai' });
    expect(view.customers[0]).toMatchObject({ orderCount: 1, orderedTotal: 700 });
  });

  test('when a ticket’s approval arrives before its creation, then the ticket stays APPROVED', () => {
    const [, ticketCreated, , ticketApproved] = lifeOf(C, { orderId: O, total: 700, description: 'pad thai', declined: false });
    expect(project([ticketApproved!, ticketCreated!]).orders[0]).toMatchObject({ ticket: 'APPROVED' });
  });

  test('when histories are delivered shuffled with duplicates, then the view equals in-order delivery, and what each aggregate’s newest event says (fast-check)', () => {
    fc.assert(
      fc.property(
        histories.chain((h) => {
          const events = eventsOf(h);
          return fc.tuple(fc.constant(events), deliveryOf(events));
        }),
        ([inOrder, delivered]) => {
          const expected = expectedView(inOrder);
          expect(project(inOrder), 'delivered in order, once each').toEqual(expected);
          expect(project(delivered), 'delivered shuffled with duplicates').toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('lab 07: the rebuild decisions, pure', () => {
  const logs = ['customer-service', 'order-service', 'kitchen-service', 'accounting-service'] as const;

  test('when a generation has applied nothing yet, then it reads each log from its first entry; else right after its last', () => {
    expect(resumeFrom(undefined), 'a new generation must replay the whole history').toBe('first');
    expect(resumeFrom(41), 'resume after the last applied entry, without applying it again').toBe(42);
  });

  test('when the rebuilt generation is behind the live one in any log, then it has not caught up', () => {
    expect(caughtUp(logs, { 'customer-service': 9, 'order-service': 20, 'kitchen-service': 5, 'accounting-service': 3 }, { 'customer-service': 9, 'order-service': 21, 'kitchen-service': 5, 'accounting-service': 3 })).toBe(false);
    expect(caughtUp(logs, { 'order-service': 20 }, { 'order-service': 20, 'kitchen-service': 0 }), 'the live one read a log the rebuilt one has not').toBe(false);
  });

  test('when the rebuilt generation has applied at least what the live one has in every log, then it has caught up', () => {
    expect(caughtUp(logs, { 'customer-service': 9, 'order-service': 22, 'kitchen-service': 5, 'accounting-service': 3 }, { 'customer-service': 9, 'order-service': 21, 'kitchen-service': 5, 'accounting-service': 3 })).toBe(true);
    expect(caughtUp(logs, {}, {}), 'nothing to catch up with').toBe(true);
  });
});
