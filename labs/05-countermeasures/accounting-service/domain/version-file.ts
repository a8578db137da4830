import type { PaymentDecision } from '#shared/participants/accounting-service/domain/payment-decision.ts';

// #region version-file
/**
 * What a payment command does, given the order's version file: the operations accounting received for the
 * order before this one, oldest first. Commands may arrive out of order, so the file, not the arrival, says
 * what the order's payment has become: once a cancel is on file, a late authorization must hold nothing.
 */
export const decidePayment: PaymentDecision = (file, incoming) => {
  // TODO(lab 05): the version file (http://localhost:3000/labs/05-countermeasures#step-3-a-version-file). Today each command does
  // what it says, whatever the file holds: an AuthorizePayment that arrives after its order's
  // CancelAuthorization holds the money of a cancelled order.
  return incoming;
};
// #endregion version-file
