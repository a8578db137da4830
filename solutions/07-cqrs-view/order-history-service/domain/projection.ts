import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import type { ViewEvent } from '../messaging/contracts.ts';
import { emptyCustomer, emptyOrder, type CustomerView, type OrderState, type OrderView, type PaymentStatus, type TicketStatus, type ViewSlice } from './documents.ts';

/** Which documents an event touches: the store loads exactly these before `apply`. */
export function touches(event: ViewEvent): { customerId?: string; orderId?: string } {
  const p = event.payload;
  return { ...('customerId' in p ? { customerId: p.customerId } : {}), ...('orderId' in p ? { orderId: p.orderId } : {}) };
}

// #region apply
/**
 * The view's one decision: what an event changes in the documents it touches. Pure: no I/O, so it is tested
 * with given/when/then and with generated histories. Events come at least once and in any order across
 * aggregates (and, after a redelivery, within one), so every case must give the same documents whether the
 * event is new, a duplicate, or older than what the view already holds.
 */
export function apply(slice: ViewSlice, event: ViewEvent): ViewSlice {
  return project(event, slice);
}

const project = dispatch<ViewEvent, ViewSlice, ViewSlice>({
  CustomerCreated: ({ payload: e }, { customer = emptyCustomer(e.customerId) }) => {
    // Only the creation names the customer: keep its name even when it arrives after a newer change, but never
    // let its (older) credit limit overwrite that change's.
    const named = { ...customer, name: e.name };
    return { customer: e.version > customer.version ? { ...named, creditLimit: e.creditLimit, version: e.version } : named };
  },
  CustomerCreditLimitChanged: ({ payload: e }, { customer = emptyCustomer(e.customerId) }) => ({
    // No "customer not found" here: a change that overtook the creation starts the document itself.
    customer: e.version > customer.version ? { ...customer, creditLimit: e.creditLimit, version: e.version } : customer,
  }),
  OrderCreated: ({ payload: e }, slice) => orderChanged(slice, e, 'APPROVAL_PENDING', { description: e.description }),
  OrderApproved: ({ payload: e }, slice) => orderChanged(slice, e, 'APPROVED'),
  OrderRejected: ({ payload: e }, slice) => orderChanged(slice, e, 'REJECTED', { rejectionReason: e.reason }),
  TicketCreated: ({ payload: e }, { order }) => ({ order: ticketChanged(order ?? emptyOrder(e.orderId), e.version, 'CREATED') }),
  TicketApproved: ({ payload: e }, { order }) => ({ order: ticketChanged(order ?? emptyOrder(e.orderId), e.version, 'APPROVED') }),
  TicketRejected: ({ payload: e }, { order }) => ({ order: ticketChanged(order ?? emptyOrder(e.orderId), e.version, 'REJECTED') }),
  PaymentAuthorized: ({ payload: e }, { order }) => ({ order: paymentChanged(order ?? emptyOrder(e.orderId), e.version, 'AUTHORIZED') }),
  PaymentDeclined: ({ payload: e }, { order }) => ({ order: paymentChanged(order ?? emptyOrder(e.orderId), e.version, 'DECLINED') }),
});

interface OrderFacts {
  orderId: string;
  customerId: string;
  total: number;
  version: number;
}

function orderChanged({ customer, order }: ViewSlice, e: OrderFacts, state: OrderState, extra: { description?: string; rejectionReason?: string } = {}): ViewSlice {
  const before = order ?? emptyOrder(e.orderId);
  const owner = customer ?? emptyCustomer(e.customerId);
  // Every order event says whose order it is and its total. The first one the view applies, whichever it is,
  // adds the order to its customer's count; a duplicate or a later one finds the owner already known.
  const counted = before.customerId === null ? { ...owner, orderCount: owner.orderCount + 1, orderedTotal: owner.orderedTotal + e.total } : owner;
  // The description comes only with OrderCreated and never changes: keep it whenever it arrives.
  let after: OrderView = { ...before, customerId: e.customerId, total: e.total, ...(extra.description !== undefined ? { description: extra.description } : {}) };
  if (e.version > before.versions.order) {
    after = { ...after, state, rejectionReason: extra.rejectionReason ?? null, versions: { ...after.versions, order: e.version } };
  }
  return { customer: counted, order: after };
}
// #endregion apply

/** The ticket's status, from its newest event: an older or repeated one changes nothing. */
function ticketChanged(order: OrderView, version: number, ticket: TicketStatus): OrderView {
  if (version <= order.versions.ticket) return order;
  return { ...order, ticket, versions: { ...order.versions, ticket: version } };
}

function paymentChanged(order: OrderView, version: number, payment: PaymentStatus): OrderView {
  if (version <= order.versions.payment) return order;
  return { ...order, payment, versions: { ...order.versions, payment: version } };
}

/** A customer document as a client reads it. */
export function customerSummary(customer: CustomerView) {
  return { customerId: customer.customerId, name: customer.name, creditLimit: customer.creditLimit, orderCount: customer.orderCount, orderedTotal: customer.orderedTotal };
}
