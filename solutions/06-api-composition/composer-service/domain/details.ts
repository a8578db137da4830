import type { Part } from '../compose/resilience.ts';
import type { Customer, Order, Payment, Ticket } from '../providers/clients.ts';
import type { ProviderName } from '../providers/http-json.ts';

/** How one composed answer ends: the answer itself, or why there is none. */
export type Composed<Body> =
  | { kind: 'ok'; body: Body & Degradation & { providerCalls: number } }
  | { kind: 'not-found'; error: string; field: string }
  | { kind: 'unavailable'; error: string; provider: ProviderName };

/** Which providers did not answer, and what was put in their place: a degraded answer says so. */
export interface Degradation {
  degraded: ProviderName[];
  fallbacks: Partial<Record<ProviderName, { used: string; reason: string }>>;
}

export interface OrderDetails {
  order: Order;
  customer: Customer | null;
  ticket: Ticket | null;
  payment: Payment | null;
}

/**
 * The in-memory join of one order's parts. Pure: the parts come in, the answer (or the reason there is none)
 * goes out. The order is the root: without it there is nothing to answer, so its failure is a 503 and its
 * absence a 404. Any other part may be a fallback, and the answer lists it in `degraded`.
 */
export function orderDetails(
  orderId: string,
  parts: { order: Part<Order | undefined>; customer: Part<Customer | undefined>; ticket: Part<Ticket | undefined>; payment: Part<Payment | undefined> },
  providerCalls: number,
): Composed<OrderDetails> {
  const { order } = parts;
  if (order.kind !== 'answered') return { kind: 'unavailable', provider: 'order', error: `order-service is unavailable (${order.reason}), and there are no order details without the order` };
  if (!order.value) return { kind: 'not-found', field: 'id', error: `order ${orderId} does not exist` };
  const others = { customer: parts.customer, kitchen: parts.ticket, accounting: parts.payment } as const;
  const failed = unavailable(others);
  if (failed) return failed;
  return {
    kind: 'ok',
    body: {
      order: order.value,
      customer: valueOf(parts.customer),
      ticket: valueOf(parts.ticket),
      payment: valueOf(parts.payment),
      ...degradation(others),
      providerCalls,
    },
  };
}

export interface CustomerOrderDetails {
  customer: Customer | null;
  orders: Array<{ order: Order; ticket: Ticket | null; payment: Payment | null }>;
}

/** The join of a customer's orders with their tickets and payments, matched by order id. */
export function customerOrderDetails(
  customerId: string,
  parts: { customer: Part<Customer | undefined>; orders: Part<Order[]>; tickets: Part<Ticket[]>; payments: Part<Payment[]> },
  providerCalls: number,
): Composed<CustomerOrderDetails> {
  const { orders } = parts;
  if (orders.kind !== 'answered') return { kind: 'unavailable', provider: 'order', error: `order-service is unavailable (${orders.reason}), and there are no order details without the orders` };
  if (parts.customer.kind === 'answered' && !parts.customer.value && orders.value.length === 0) return { kind: 'not-found', field: 'id', error: `customer ${customerId} does not exist` };
  const others = { customer: parts.customer, kitchen: parts.tickets, accounting: parts.payments } as const;
  const failed = unavailable(others);
  if (failed) return failed;
  const tickets = new Map((valueOf(parts.tickets) ?? []).map((t) => [t.orderId, t]));
  const payments = new Map((valueOf(parts.payments) ?? []).map((p) => [p.orderId, p]));
  return {
    kind: 'ok',
    body: {
      customer: valueOf(parts.customer),
      orders: orders.value.map((order) => ({ order, ticket: tickets.get(order.id) ?? null, payment: payments.get(order.id) ?? null })),
      ...degradation(others),
      providerCalls,
    },
  };
}

type Parts = Partial<Record<ProviderName, Part<unknown>>>;

/** A part with neither an answer nor a fallback: the whole answer cannot be made. */
function unavailable(parts: Parts): Composed<never> | undefined {
  for (const [provider, part] of Object.entries(parts) as Array<[ProviderName, Part<unknown>]>) {
    if (part.kind === 'failed') return { kind: 'unavailable', provider, error: `${provider} provider is unavailable (${part.reason}) and has no fallback` };
  }
  return undefined;
}

function degradation(parts: Parts): Degradation {
  const result: Degradation = { degraded: [], fallbacks: {} };
  for (const [provider, part] of Object.entries(parts) as Array<[ProviderName, Part<unknown>]>) {
    if (part.kind !== 'fallback') continue;
    result.degraded.push(provider);
    result.fallbacks[provider] = { used: part.used, reason: part.reason };
  }
  return result;
}

function valueOf<T>(part: Part<T | undefined>): T | null {
  return part.kind === 'failed' ? null : (part.value ?? null);
}
