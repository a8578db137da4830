/**
 * The view's documents. Denormalized for its queries: a customer's row already holds its order count and
 * total, an order's row its ticket's and payment's status, so a query reads rows and joins nothing across
 * services. `null` is "not known yet": events of other services may arrive before the one that says it.
 */
export interface CustomerView {
  customerId: string;
  name: string | null;
  creditLimit: number | null;
  /** The version of the newest customer event applied (0: none yet). */
  version: number;
  /** How many orders the view knows the customer placed, and their total. */
  orderCount: number;
  orderedTotal: number;
}

export type OrderState = 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED';
export type TicketStatus = 'CREATED' | 'APPROVED' | 'REJECTED';
export type PaymentStatus = 'AUTHORIZED' | 'DECLINED';

export interface OrderView {
  orderId: string;
  customerId: string | null;
  total: number | null;
  description: string | null;
  state: OrderState | null;
  rejectionReason: string | null;
  ticket: TicketStatus | null;
  payment: PaymentStatus | null;
  /** The newest version applied of each aggregate that writes this row (0: none yet). */
  versions: { order: number; ticket: number; payment: number };
}

/** The part of the view one event may change: its customer's document, its order's, or both. */
export interface ViewSlice {
  customer?: CustomerView;
  order?: OrderView;
}

export function emptyCustomer(customerId: string): CustomerView {
  return { customerId, name: null, creditLimit: null, version: 0, orderCount: 0, orderedTotal: 0 };
}

export function emptyOrder(orderId: string): OrderView {
  return { orderId, customerId: null, total: null, description: null, state: null, rejectionReason: null, ticket: null, payment: null, versions: { order: 0, ticket: 0, payment: 0 } };
}
