import type { CreditUpdate } from '#shared/participants/customer-service/db/credit-access.ts';

// #region credit-update
/**
 * Writes one change of a customer's reserved credit: `reserve` takes `amount` for an order, `release` (the
 * compensation of a reservation) gives it back, `reinstate` (the compensation of a release) takes it again.
 * A revised order's credit changes by the difference through the same three (a revision up is a `reserve`).
 * `seen` is the customer's credit as the command read it, without a lock: other sagas' commands run beside
 * this one, so by the time of this write it may be out of date.
 */
export const updateCredit: CreditUpdate = async (tx, { customerId, operation, amount, seen }) => {
  // TODO(lab 05): commutative updates (http://localhost:3000/labs/05-countermeasures#step-5-commutative-updates). Today the
  // new balance is computed from `seen` and written back whole: a change another saga made since the read is
  // overwritten (a lost update), and the limit is checked against a balance that is no longer true.
  const reserved = operation === 'release' ? seen.creditReserved - amount : seen.creditReserved + amount;
  if (operation === 'reserve' && reserved > seen.creditLimit) return 'limit-exceeded';
  await tx.query('UPDATE customers SET credit_reserved = $2 WHERE id = $1', [customerId, reserved]);
  return 'applied';
};
// #endregion credit-update
