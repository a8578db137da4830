/**
 * The Order aggregate's commands, events and state. Events are past-tense facts and, once stored, never change:
 * a new field must be optional, a new meaning a new event type (see the lab page on schema evolution).
 * Time and ids come in with the command, so `decide` and `evolve` stay pure.
 */

export interface Line {
  sku: string;
  quantity: number;
  /** In cents. */
  unitPrice: number;
}

export type OrderCommand =
  | { type: 'PlaceOrder'; orderId: string; customerId: string; at: string }
  | { type: 'AddLine'; line: Line }
  | { type: 'ConfirmOrder'; at: string }
  | { type: 'CancelOrder'; reason: string; at: string };

export type OrderEvent =
  | { type: 'OrderPlaced'; data: { orderId: string; customerId: string; placedAt: string } }
  | { type: 'LineAdded'; data: { line: Line } }
  | { type: 'OrderConfirmed'; data: { total: number; confirmedAt: string } }
  | { type: 'OrderCancelled'; data: { reason: string; cancelledAt: string } };

export type OrderEventType = OrderEvent['type'];

/** Keyed on `status`: each state carries only what is true in it. */
export type OrderState =
  | { status: 'none' }
  | { status: 'open'; orderId: string; customerId: string; lines: readonly Line[] }
  | { status: 'confirmed'; orderId: string; customerId: string; lines: readonly Line[]; total: number }
  | { status: 'cancelled'; orderId: string; customerId: string; lines: readonly Line[]; reason: string };

/** What `decide` answers: the events to append, or why the command cannot be done in this state. */
export type Decision = { kind: 'accepted'; events: OrderEvent[] } | { kind: 'rejected'; reason: string };

/** The reason `decide` gives for any command but PlaceOrder on a stream with no events: the API answers 404. */
export const ORDER_NOT_FOUND = 'the order does not exist';

/** An order holds at most this many lines (a stream that grows without bound is slow to load). */
export const MAX_LINES = 50;

export function totalOf(lines: readonly Line[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
}
