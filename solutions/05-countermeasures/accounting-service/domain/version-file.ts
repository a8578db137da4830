import type { PaymentDecision } from '#shared/participants/accounting-service/domain/payment-decision.ts';

// #region version-file
/**
 * What a payment command does, given the order's version file: the operations accounting received for the
 * order before this one, oldest first. Commands may arrive out of order, so the file, not the arrival, says
 * what the order's payment has become: once a cancel is on file, a late authorization must hold nothing.
 */
export const decidePayment: PaymentDecision = (file, incoming) => {
  if (incoming === 'authorize' && file.includes('cancel')) return 'nothing';
  return incoming;
};
// #endregion version-file
