import fc from 'fast-check';

/**
 * Histories the grader generates, and what the view must show after one: an oracle written independently of
 * any projection (from each aggregate's newest event), so a projection that is consistently wrong fails too.
 */
export interface Event {
  /** The log it is published to. */
  log: 'customer-service' | 'order-service' | 'kitchen-service' | 'accounting-service';
  id: string;
  type: string;
  payload: Record<string, unknown> & { version: number };
}

export interface ExpectedCustomer {
  customerId: string;
  name: string | null;
  creditLimit: number | null;
  orderCount: number;
  orderedTotal: number;
}
export interface ExpectedOrder {
  orderId: string;
  customerId: string | null;
  total: number | null;
  description: string | null;
  state: string | null;
  rejectionReason: string | null;
  ticket: string | null;
  payment: string | null;
}
export interface ExpectedView {
  customers: ExpectedCustomer[];
  orders: ExpectedOrder[];
}

const uuid = fc.uuid({ version: 4 });
let counter = 0;
const eventId = () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

/** A customer's history: created, then 0..3 credit-limit changes. */
const customerHistory = fc.record({ customerId: uuid, name: fc.constantFrom('Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'), limits: fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 4 }) });

/** An order's life, possibly still under way: how many of its five events happened. */
const orderHistory = fc.record({ orderId: uuid, total: fc.integer({ min: 1, max: 50_000 }), description: fc.constantFrom('pizza margherita', 'pad thai', 'sushi platter', 'green curry'), declined: fc.boolean(), steps: fc.integer({ min: 1, max: 5 }) });

export const histories = fc.array(fc.record({ customer: customerHistory, withCustomerEvents: fc.boolean(), orders: fc.array(orderHistory, { maxLength: 3 }) }), { minLength: 1, maxLength: 3 });
export type History = typeof histories extends fc.Arbitrary<infer T> ? T : never;

/** The events of a generated history, each aggregate's in the order its publisher wrote them. */
export function eventsOf(history: History): Event[] {
  const events: Event[] = [];
  for (const { customer, withCustomerEvents, orders } of history) {
    const { customerId, name, limits } = customer;
    if (withCustomerEvents) {
      limits.forEach((creditLimit, i) =>
        events.push(i === 0 ? { log: 'customer-service', id: eventId(), type: 'CustomerCreated', payload: { customerId, name, creditLimit, version: 1 } } : { log: 'customer-service', id: eventId(), type: 'CustomerCreditLimitChanged', payload: { customerId, creditLimit, version: i + 1 } }),
      );
    }
    for (const o of orders) events.push(...lifeOf(customerId, o).slice(0, o.steps));
  }
  return events;
}

export function lifeOf(customerId: string, o: { orderId: string; total: number; description: string; declined: boolean }): Event[] {
  const order = { orderId: o.orderId, customerId, total: o.total };
  const reason = 'declined by the bank';
  return [
    { log: 'order-service', id: eventId(), type: 'OrderCreated', payload: { ...order, description: o.description, version: 1 } },
    { log: 'kitchen-service', id: eventId(), type: 'TicketCreated', payload: { orderId: o.orderId, version: 1 } },
    o.declined ? { log: 'accounting-service', id: eventId(), type: 'PaymentDeclined', payload: { orderId: o.orderId, reason, version: 1 } } : { log: 'accounting-service', id: eventId(), type: 'PaymentAuthorized', payload: { orderId: o.orderId, version: 1 } },
    { log: 'kitchen-service', id: eventId(), type: o.declined ? 'TicketRejected' : 'TicketApproved', payload: { orderId: o.orderId, version: 2 } },
    o.declined ? { log: 'order-service', id: eventId(), type: 'OrderRejected', payload: { ...order, reason, version: 2 } } : { log: 'order-service', id: eventId(), type: 'OrderApproved', payload: { ...order, version: 2 } },
  ];
}

/** A delivery of `events`: every event at least once, some twice or three times, in a shuffled order. */
export function deliveryOf(events: Event[]): fc.Arbitrary<Event[]> {
  return fc
    .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length }), fc.array(fc.nat(), { minLength: events.length * 3, maxLength: events.length * 3 }))
    .map(([copies, keys]) => {
      const all = events.flatMap((e, i) => Array.from({ length: copies[i]! }, () => e));
      return all.map((e, i) => ({ e, k: keys[i]! })).sort((a, b) => a.k - b.k).map(({ e }) => e);
    });
}

/** What the view must show after `events` (any order, any duplicates): the newest fact of each aggregate. */
export function expectedView(events: Event[]): ExpectedView {
  const newest = (type: (t: string) => boolean, key: string, id: string) =>
    events.filter((e) => type(e.type) && e.payload[key] === id).reduce<Event | undefined>((best, e) => (!best || e.payload.version > best.payload.version ? e : best), undefined);
  const orderIds = [...new Set(events.flatMap((e) => (typeof e.payload.orderId === 'string' ? [e.payload.orderId] : [])))];
  const orders = orderIds.map((orderId): ExpectedOrder => {
    const order = newest((t) => t.startsWith('Order'), 'orderId', orderId);
    const created = events.find((e) => e.type === 'OrderCreated' && e.payload.orderId === orderId);
    const ticket = newest((t) => t.startsWith('Ticket'), 'orderId', orderId);
    const payment = newest((t) => t.startsWith('Payment'), 'orderId', orderId);
    const state = order && ({ OrderCreated: 'APPROVAL_PENDING', OrderApproved: 'APPROVED', OrderRejected: 'REJECTED' } as Record<string, string>)[order.type]!;
    return {
      orderId,
      customerId: (order?.payload.customerId as string) ?? null,
      total: (order?.payload.total as number) ?? null,
      description: (created?.payload.description as string) ?? null,
      state: state ?? null,
      rejectionReason: order?.type === 'OrderRejected' ? (order.payload.reason as string) : null,
      ticket: ticket ? ticket.type.replace('Ticket', '').toUpperCase() : null,
      payment: payment ? payment.type.replace('Payment', '').toUpperCase() : null,
    };
  });
  const customerIds = [...new Set([...events.flatMap((e) => (e.type.startsWith('Customer') ? [e.payload.customerId as string] : [])), ...orders.flatMap((o) => (o.customerId ? [o.customerId] : []))])];
  const customers = customerIds.map((customerId): ExpectedCustomer => {
    const created = events.find((e) => e.type === 'CustomerCreated' && e.payload.customerId === customerId);
    const limit = newest((t) => t.startsWith('Customer'), 'customerId', customerId);
    const own = orders.filter((o) => o.customerId === customerId);
    return { customerId, name: (created?.payload.name as string) ?? null, creditLimit: (limit?.payload.creditLimit as number) ?? null, orderCount: own.length, orderedTotal: own.reduce((sum, o) => sum + o.total!, 0) };
  });
  return sortView({ customers, orders });
}

export function sortView<V extends { customers: Array<{ customerId: string }>; orders: Array<{ orderId: string }> }>(view: V): V {
  return { ...view, customers: [...view.customers].sort((a, b) => a.customerId.localeCompare(b.customerId)), orders: [...view.orders].sort((a, b) => a.orderId.localeCompare(b.orderId)) };
}
