import type { CreditResult } from '../api/customer-client.ts';

export interface Order {
  id: string;
  customerId: string;
  total: number;
  /** Lab 01 only ever stores approved orders: a refused order is answered with an error and not kept. */
  state: 'APPROVED';
}

export type OrderDecision =
  | { kind: 'approve'; order: Order }
  | { kind: 'refuse'; status: 422 | 503; message: string; details: Record<string, unknown> };

/**
 * What to do with an order once customer-service has answered (or failed to). Pure: the id is passed in,
 * and each kind of credit result has exactly one answer, which the `never` check keeps exhaustive.
 */
export function decideOrder(request: { id: string; customerId: string; total: number }, credit: CreditResult): OrderDecision {
  switch (credit.kind) {
    case 'reserved':
      return { kind: 'approve', order: { ...request, state: 'APPROVED' } };
    case 'limit-exceeded':
      return {
        kind: 'refuse',
        status: 422,
        message: `order total ${request.total} exceeds the credit of customer ${request.customerId}: credit limit ${credit.limit}, available ${credit.available}`,
        details: { field: 'total', limit: credit.limit, available: credit.available },
      };
    case 'customer-not-found':
      return { kind: 'refuse', status: 422, message: `customer ${request.customerId} does not exist`, details: { field: 'customerId' } };
    case 'unavailable':
      // 503, not 500: nothing is wrong with the order or with us; the service we depend on is not answering.
      return { kind: 'refuse', status: 503, message: `cannot create the order now: customer-service is unavailable (${credit.reason})`, details: {} };
    default: {
      const unhandled: never = credit;
      throw new Error(`unhandled credit result ${JSON.stringify(unhandled)}`);
    }
  }
}
