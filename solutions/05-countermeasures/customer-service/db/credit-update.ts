import type { CreditUpdate } from '#shared/participants/customer-service/db/credit-access.ts';

// #region credit-update
/**
 * Writes one change of a customer's reserved credit: `reserve` takes `amount` for an order, `release` (the
 * compensation of a reservation) gives it back, `reinstate` (the compensation of a release) takes it again.
 * A revised order's credit changes by the difference through the same three (a revision up is a `reserve`).
 * `seen` is the customer's credit as the command read it, without a lock: other sagas' commands run beside
 * this one, so by the time of this write it may be out of date.
 */
export const updateCredit: CreditUpdate = async (tx, { customerId, operation, amount }) => {
  // Each change is an increment of the balance as it is when written, never a balance computed from `seen`:
  // increments commute, so two sagas' changes both count whatever their order. Undoing a reservation is the
  // opposite increment, not a restored old value.
  const change = operation === 'release' ? -amount : amount;
  // The limit is checked by the statement that adds, on the row as it is then, so no change can slip in
  // between the check and the write. Only a reservation is checked: a compensation must not fail.
  const { rowCount } = await tx.query(
    'UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1 AND (NOT $3::boolean OR credit_reserved + $2 <= credit_limit)',
    [customerId, change, operation === 'reserve'],
  );
  return rowCount === 1 ? 'applied' : 'limit-exceeded';
};
// #endregion credit-update
