/**
 * An order in the Create Order saga. APPROVAL_PENDING is the saga's "in progress" state: the order exists
 * but nothing has been decided about it yet (lab 05 calls this a semantic lock).
 */
export type OrderState = 'APPROVAL_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: OrderState;
  rejectionReason?: string;
}

export interface OrderEvent {
  id: string;
  type: 'OrderCreated' | 'OrderCancelled';
  aggregateId: string;
  payload: { orderId: string; customerId: string; total: number };
}

function event(type: OrderEvent['type'], order: Order, eventId: string): OrderEvent {
  return { id: eventId, type, aggregateId: order.id, payload: { orderId: order.id, customerId: order.customerId, total: order.total } };
}

/** The first step of the saga: an order waiting for customer-service's answer. Pure: ids are passed in. */
export function createOrder(ids: { orderId: string; eventId: string }, input: { customerId: string; total: number }): { order: Order; event: OrderEvent } {
  const order: Order = { id: ids.orderId, customerId: input.customerId, total: input.total, state: 'APPROVAL_PENDING' };
  return { order, event: event('OrderCreated', order, ids.eventId) };
}

/** What customer-service's answer means for the order. */
export type Verdict = { kind: 'approve' } | { kind: 'reject'; reason: string };

/**
 * customer-service's answer ends the saga. Only a pending order changes: a late or repeated answer for an
 * order already decided is ignored rather than flipping it.
 */
export function decide(order: Order, answer: Verdict): Order {
  if (order.state !== 'APPROVAL_PENDING') return order;
  return answer.kind === 'approve' ? { ...order, state: 'APPROVED' } : { ...order, state: 'REJECTED', rejectionReason: answer.reason };
}

export type CancelDecision = { kind: 'cancel'; order: Order; event: OrderEvent } | { kind: 'refuse'; reason: string };

/** Only an approved order can be cancelled: its credit is then released by customer-service. */
export function cancelOrder(order: Order, eventId: string): CancelDecision {
  if (order.state !== 'APPROVED') return { kind: 'refuse', reason: `order ${order.id} is ${order.state}; only an APPROVED order can be cancelled` };
  const cancelled: Order = { ...order, state: 'CANCELLED' };
  return { kind: 'cancel', order: cancelled, event: event('OrderCancelled', cancelled, eventId) };
}
