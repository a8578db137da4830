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
  // The version, not the total: a total can change and come back (1 000, then 3 000, then 1 000), and a
  // cancel begun and undone changes no total, yet both mean the credit check was made on an order that moved.
  if (now.version !== read.version) {
    return { kind: 'abort', reason: `the order changed since the revise read it (version ${read.version} then, ${now.version} now; total ${read.total} then, ${now.total} now)` };
  }
  return { kind: 'write' };
}
// #endregion reread-value
