import { customerOrderDetails, type Composed, type CustomerOrderDetails } from '../domain/details.ts';
import type { Tally } from '../providers/http-json.ts';
import { fallbacks } from './fallbacks.ts';
import type { Composer } from './order-details.ts';

// #region customer-order-details
/**
 * `GET /customers/:id/order-details`: a customer and every order of theirs, with tickets and payments. The
 * customer and the list of orders need only the customer's id; the tickets and payments need the orders' ids.
 * One batch request per provider fetches them for all the orders: the number of calls does not grow with
 * the number of orders.
 */
export async function composeCustomerOrderDetails(customerId: string, { clients, guards }: Composer, deadline: AbortSignal): Promise<Composed<CustomerOrderDetails>> {
  const tally: Tally = { calls: 0 };
  // TODO(lab 06): one call after the other again, and one round trip per order to kitchen and accounting.
  // Follow the graph (what does each call need?), and fetch the tickets and payments of all the orders in one
  // batch request each (clients.tickets, clients.payments). See http://localhost:3000/labs/06-api-composition.
  const c = await guards.customer.call({ key: customerId, fetch: (signal) => clients.customer(customerId, signal, tally), fallback: fallbacks.customer }, deadline);
  const o = await guards.order.call({ key: customerId, fetch: (signal) => clients.ordersOf(customerId, signal, tally), fallback: fallbacks.order }, deadline);
  const ids = o.kind === 'answered' ? o.value.map((order) => order.id) : [];
  const t = await guards.kitchen.call({ key: ids.join(), fetch: (signal) => oneByOne(ids, (id) => clients.ticket(id, signal, tally)), fallback: fallbacks.tickets }, deadline);
  const p = await guards.accounting.call({ key: ids.join(), fetch: (signal) => oneByOne(ids, (id) => clients.payment(id, signal, tally)), fallback: fallbacks.payments(ids) }, deadline);
  return customerOrderDetails(customerId, { customer: c, orders: o, tickets: t, payments: p }, tally.calls);
}

/** One request per order, each waiting for the one before. */
async function oneByOne<T>(ids: string[], fetchOne: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const found: T[] = [];
  for (const id of ids) {
    const item = await fetchOne(id);
    if (item) found.push(item);
  }
  return found;
}
// #endregion customer-order-details
