import type { DeliveredFor } from '#shared/platform/messaging.ts';
import { dispatch } from '#shared/platform/messaging/handler-map.ts';
import type { Outcome } from '#shared/platform/saga/advance.ts';
import type { replySchemas } from './contracts.ts';

export type Reply = DeliveredFor<typeof replySchemas>;

const succeeded: Outcome = { kind: 'succeeded' };

/** What each reply means for the step that asked: one entry per reply type of the contract. */
export const outcomeOf = dispatch<Reply, void, Outcome>({
  CreditReserved: () => succeeded,
  CustomerCreditLimitExceeded: ({ payload }) => ({ kind: 'failed', reason: `credit limit of ${payload.limit} exceeded (available ${payload.available})` }),
  CustomerNotFound: ({ payload }) => ({ kind: 'failed', reason: `customer ${payload.customerId} does not exist` }),
  CreditReservationRefused: ({ payload }) => ({ kind: 'failed', reason: payload.reason }),
  CreditReleased: () => succeeded,
  CreditReleaseFailed: ({ payload }) => ({ kind: 'failed', reason: payload.reason }),
  CreditReinstated: () => succeeded,
  TicketCreated: () => succeeded,
  TicketRefused: ({ payload }) => ({ kind: 'failed', reason: `the kitchen refused the ticket: ${payload.reason}` }),
  TicketRejected: () => succeeded,
  TicketApproved: () => succeeded,
  TicketApprovalFailed: ({ payload }) => ({ kind: 'failed', reason: payload.reason }),
  TicketCancelled: () => succeeded,
  TicketCancellationRefused: ({ payload }) => ({ kind: 'failed', reason: `the kitchen would not cancel: ${payload.reason}` }),
  PaymentAuthorized: () => succeeded,
  PaymentDeclined: ({ payload }) => ({ kind: 'failed', reason: `payment declined: ${payload.reason}` }),
  AuthorizationCancelled: () => succeeded,
  CreditRevised: () => succeeded,
  CreditRevisionRefused: ({ payload }) => ({ kind: 'failed', reason: payload.reason }),
  CreditRevisionUndone: () => succeeded,
});
