/**
 * An order's states. The `_PENDING` states are a semantic lock: while one is set, a saga (or, for
 * CONFIRMATION_PENDING, a person) is deciding the order, and no other saga may change it until the state ends.
 */
export type OrderState = 'APPROVAL_PENDING' | 'CONFIRMATION_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCEL_PENDING' | 'CANCELLED';

/**
 * What the sagas do to an order: Create Order approves or rejects it (a high-value order it leaves awaiting a
 * confirmation, see by-value.ts), Cancel Order begins, confirms or undoes a cancel, Revise Order changes the
 * total of an approved order (its state stays: it takes no lock, see reread-value.ts).
 */
export type OrderChange = 'approve' | 'await-confirmation' | 'confirm' | 'reject' | 'begin-cancel' | 'confirm-cancel' | 'undo-cancel' | 'revise';

export type Decision =
  /** Apply the change: the order moves to `to`. */
  | { kind: 'move'; to: OrderState }
  /** Another saga holds the order: the change may succeed once it ends, so the caller may try again. */
  | { kind: 'locked'; by: OrderState; retryAfterSeconds: number }
  /** The change makes no sense in this state, and never will. */
  | { kind: 'refused'; reason: string };

/** Where each change takes the order. */
const TARGET: Record<OrderChange, OrderState> = {
  approve: 'APPROVED',
  'await-confirmation': 'CONFIRMATION_PENDING',
  confirm: 'APPROVED',
  reject: 'REJECTED',
  'begin-cancel': 'CANCEL_PENDING',
  'confirm-cancel': 'CANCELLED',
  'undo-cancel': 'APPROVED',
  revise: 'APPROVED',
};

// #region semantic-lock
/** Whether `change` may happen to an order in `state`, and what it becomes. Pure: tested without a database. */
export function decide(state: OrderState, change: OrderChange): Decision {
  // TODO(lab 05): the semantic lock (http://localhost:3000/labs/05-countermeasures#step-1-the-semantic-lock). Today every change
  // applies whatever the order's state, so a cancel can start while Create Order still runs, and Create
  // Order's approve then overwrites it. Each change starts from one state only; a change asked of an order
  // that a saga holds (APPROVAL_PENDING, CONFIRMATION_PENDING, CANCEL_PENDING) is `locked`, with a retry hint in seconds; any other
  // change is `refused`.
  return { kind: 'move', to: TARGET[change] };
}
// #endregion semantic-lock
