/** An order in lab 02: created, and perhaps cancelled. Deciding whether credit allows it is lab 03's job. */
export interface Order {
  id: string;
  customerId: string;
  total: number;
  state: 'CREATED' | 'CANCELLED';
}

/** The events order-service publishes: facts, named in the past tense. */
export type OrderEvent =
  | { id: string; type: 'OrderCreated'; orderId: string; payload: { orderId: string; customerId: string; total: number } }
  | { id: string; type: 'OrderCancelled'; orderId: string; payload: { orderId: string; customerId: string; total: number } };

/** Pure: ids are passed in, so a test can predict every value. */
export function createOrder(ids: { orderId: string; eventId: string }, input: { customerId: string; total: number }): { order: Order; event: OrderEvent } {
  const order: Order = { id: ids.orderId, customerId: input.customerId, total: input.total, state: 'CREATED' };
  return { order, event: { id: ids.eventId, type: 'OrderCreated', orderId: order.id, payload: { orderId: order.id, customerId: order.customerId, total: order.total } } };
}

export type CancelDecision = { kind: 'cancel'; order: Order; event: OrderEvent } | { kind: 'already-cancelled' };

export function cancelOrder(order: Order, eventId: string): CancelDecision {
  if (order.state === 'CANCELLED') return { kind: 'already-cancelled' };
  return {
    kind: 'cancel',
    order: { ...order, state: 'CANCELLED' },
    event: { id: eventId, type: 'OrderCancelled', orderId: order.id, payload: { orderId: order.id, customerId: order.customerId, total: order.total } },
  };
}
