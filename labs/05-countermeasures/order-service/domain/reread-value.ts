/**
 * Countermeasure "reread value": Revise Order does not lock the order. It remembers the order's version when
 * it reads it, computes the credit change from that read, and rereads the version right before writing the
 * new total. If anything changed the order in between, what the saga checked no longer holds.
 */
export interface OrderRead {
  total: number;
  version: number;
}

export type RevisionDecision =
  /** Nothing changed the order since it was read: write the new total. */
  | { kind: 'write' }
  /** Something did: write nothing; the saga fails its step and undoes the credit it changed. */
  | { kind: 'abort'; reason: string };

// #region reread-value
/** Whether a revision computed from the order as `read` may be written now that the order reads `now`. Pure. */
export function decideRevision(read: OrderRead, now: OrderRead): RevisionDecision {
  // TODO(lab 05): reread value (http://localhost:3000/labs/05-countermeasures#step-6-reread-value). Today every revision is
  // written, whatever happened to the order since the saga read it: a revision that landed meanwhile is
  // overwritten by a total whose credit was checked against an order that no longer exists. Abort when the
  // order changed since `read`.
  return { kind: 'write' };
}
// #endregion reread-value
