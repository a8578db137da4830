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
  const customer = guards.customer.call({ key: customerId, fetch: (signal) => clients.customer(customerId, signal, tally), fallback: fallbacks.customer }, deadline);
  const orders = guards.order.call({ key: customerId, fetch: (signal) => clients.ordersOf(customerId, signal, tally), fallback: fallbacks.order }, deadline);
  const orderIds = orders.then((o) => (o.kind === 'answered' ? o.value.map((order) => order.id) : []));
  const tickets = orderIds.then((ids) => guards.kitchen.call({ key: ids.join(), fetch: (signal) => clients.tickets(ids, signal, tally), fallback: fallbacks.tickets }, deadline));
  const payments = orderIds.then((ids) => guards.accounting.call({ key: ids.join(), fetch: (signal) => clients.payments(ids, signal, tally), fallback: fallbacks.payments(ids) }, deadline));
  const [c, o, t, p] = await Promise.all([customer, orders, tickets, payments]);
  return customerOrderDetails(customerId, { customer: c, orders: o, tickets: t, payments: p }, tally.calls);
}
// #endregion customer-order-details
