import { getJson, type Tally } from './http-json.ts';

export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: string;
  createdAt: string;
}
export interface Customer {
  id: string;
  name: string;
  creditLimit: number;
  creditReserved: number;
}
export interface Ticket {
  orderId: string;
  total: number;
  state: string;
}
export interface Payment {
  orderId: string;
  state: string;
  reason?: string;
}

export interface ProviderUrls {
  order: string;
  customer: string;
  kitchen: string;
  accounting: string;
}

/** The most ids the providers' batch endpoints take in one request. */
const BATCH_MAX = 100;

/**
 * The providers' read APIs, one function per endpoint. Each takes the signal that aborts it (a timeout, the
 * answer's deadline) and the tally of calls. `undefined` means the provider answered 404.
 */
export function providerClients(urls: ProviderUrls) {
  const id = encodeURIComponent;
  return {
    order: (orderId: string, signal: AbortSignal, tally: Tally) => getJson<Order>('order', `${urls.order}/orders/${id(orderId)}`, signal, tally),
    ordersOf: async (customerId: string, signal: AbortSignal, tally: Tally) =>
      (await getJson<{ orders: Order[] }>('order', `${urls.order}/orders?customerId=${id(customerId)}`, signal, tally))?.orders ?? [],
    customer: (customerId: string, signal: AbortSignal, tally: Tally) => getJson<Customer>('customer', `${urls.customer}/customers/${id(customerId)}`, signal, tally),
    ticket: (orderId: string, signal: AbortSignal, tally: Tally) => getJson<Ticket>('kitchen', `${urls.kitchen}/tickets/${id(orderId)}`, signal, tally),
    payment: (orderId: string, signal: AbortSignal, tally: Tally) => getJson<Payment>('accounting', `${urls.accounting}/authorizations/${id(orderId)}`, signal, tally),
    /** The tickets of many orders, one request per 100 orders. */
    tickets: (orderIds: string[], signal: AbortSignal, tally: Tally) =>
      inBatches(orderIds, async (ids) => (await getJson<{ tickets: Ticket[] }>('kitchen', `${urls.kitchen}/tickets?orderIds=${ids.join(',')}`, signal, tally))?.tickets ?? []),
    payments: (orderIds: string[], signal: AbortSignal, tally: Tally) =>
      inBatches(orderIds, async (ids) => (await getJson<{ authorizations: Payment[] }>('accounting', `${urls.accounting}/authorizations?orderIds=${ids.join(',')}`, signal, tally))?.authorizations ?? []),
  };
}

export type ProviderClients = ReturnType<typeof providerClients>;

async function inBatches<T>(ids: string[], fetchBatch: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length === 0) return [];
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_MAX) batches.push(ids.slice(i, i + BATCH_MAX));
  return (await Promise.all(batches.map(fetchBatch))).flat();
}
