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
/** The one state each change may start from: only the saga that set a `_PENDING` state may end it. */
const FROM: Record<OrderChange, OrderState> = {
  approve: 'APPROVAL_PENDING',
  'await-confirmation': 'APPROVAL_PENDING',
  confirm: 'CONFIRMATION_PENDING',
  reject: 'APPROVAL_PENDING',
  'begin-cancel': 'APPROVED',
  'confirm-cancel': 'CANCEL_PENDING',
  'undo-cancel': 'CANCEL_PENDING',
  revise: 'APPROVED',
};

/** Whether `change` may happen to an order in `state`, and what it becomes. Pure: tested without a database. */
export function decide(state: OrderState, change: OrderChange): Decision {
  if (state === FROM[change]) return { kind: 'move', to: TARGET[change] };
  // A saga runs on the order. Its end is near (seconds), so the caller is told to come back, not refused.
  if (state === 'APPROVAL_PENDING' || state === 'CONFIRMATION_PENDING' || state === 'CANCEL_PENDING') return { kind: 'locked', by: state, retryAfterSeconds: 1 };
  return { kind: 'refused', reason: `an order ${state} cannot take the change ${change}` };
}
// #endregion semantic-lock
