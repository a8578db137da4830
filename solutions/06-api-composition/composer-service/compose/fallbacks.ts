import type { Customer, Payment, Ticket } from '../providers/clients.ts';
import type { Fallback } from './resilience.ts';

/**
 * What stands in for each provider when it cannot answer, chosen by what a reader of the order can live
 * without. The order has none: every other part hangs off it, so without it there is no answer to degrade.
 */
export const fallbacks = {
  order: { cached: false } satisfies Fallback<unknown>,
  /** A name seen a minute ago is better than none; a customer never seen is left out. */
  customer: { cached: true, otherwise: { used: 'empty', value: undefined } } satisfies Fallback<Customer | undefined>,
  /** A stale ticket state would mislead (the kitchen moves fast): left out. */
  ticket: { cached: false, otherwise: { used: 'empty', value: undefined } } satisfies Fallback<Ticket | undefined>,
  tickets: { cached: false, otherwise: { used: 'empty', value: [] } } satisfies Fallback<Ticket[]>,
  /** A payment's state is shown as UNKNOWN rather than guessed. */
  payment: (orderId: string): Fallback<Payment | undefined> => ({ cached: false, otherwise: { used: 'default', value: unknownPayment(orderId) } }),
  payments: (orderIds: string[]): Fallback<Payment[]> => ({ cached: false, otherwise: { used: 'default', value: orderIds.map(unknownPayment) } }),
};

function unknownPayment(orderId: string): Payment {
  return { orderId, state: 'UNKNOWN' };
}
