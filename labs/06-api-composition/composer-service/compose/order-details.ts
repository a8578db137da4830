import { orderDetails, type Composed, type OrderDetails } from '../domain/details.ts';
import type { ProviderClients } from '../providers/clients.ts';
import type { ProviderName, Tally } from '../providers/http-json.ts';
import { fallbacks } from './fallbacks.ts';
import type { Part, ProviderGuard } from './resilience.ts';

/** What a composition needs: the providers' clients, and one guard per provider shared by every request. */
export interface Composer {
  clients: ProviderClients;
  guards: Record<ProviderName, ProviderGuard>;
}

/** The part of a provider that was not asked, because what it needed was missing (no order, no customer id). */
export const NOT_ASKED: Part<undefined> = { kind: 'answered', value: undefined };

// #region order-details
/**
 * `GET /order-details/:id`: the order, its customer, its kitchen ticket and its payment, from four providers.
 * The calls form a graph: the customer's id is in the order, so that call waits for the order; the ticket and
 * the payment are keyed by the order's id, known from the start. Each call starts as soon as its input is
 * known, so the answer takes t(order) + t(customer) or t(kitchen) or t(accounting), whichever is longest.
 */
export async function composeOrderDetails(orderId: string, { clients, guards }: Composer, deadline: AbortSignal): Promise<Composed<OrderDetails>> {
  const tally: Tally = { calls: 0 };
  // TODO(lab 06): these calls run one after the other, so the answer takes the SUM of the four providers'
  // times. Start each call as soon as its input is known and wait for them together: the answer should take
  // the longest path through the graph, not the sum. See http://localhost:3000/labs/06-api-composition.
  const o = await guards.order.call({ key: orderId, fetch: (signal) => clients.order(orderId, signal, tally), fallback: fallbacks.order }, deadline);
  const customerId = o.kind === 'answered' ? o.value?.customerId : undefined;
  const c = customerId ? await guards.customer.call({ key: customerId, fetch: (signal) => clients.customer(customerId, signal, tally), fallback: fallbacks.customer }, deadline) : NOT_ASKED;
  const t = await guards.kitchen.call({ key: orderId, fetch: (signal) => clients.ticket(orderId, signal, tally), fallback: fallbacks.ticket }, deadline);
  const p = await guards.accounting.call({ key: orderId, fetch: (signal) => clients.payment(orderId, signal, tally), fallback: fallbacks.payment(orderId) }, deadline);
  return orderDetails(orderId, { order: o, customer: c, ticket: t, payment: p }, tally.calls);
}
// #endregion order-details
