import { z } from 'zod';
import { commandChannel, replyChannel, type Topology } from '#shared/platform/messaging.ts';

/** One reply channel per kind of saga: `order-service.create-order-saga.replies`, `order-service.cancel-order-saga.replies`… */
export const REPLY_CHANNELS = {
  'create-order-saga': replyChannel('order-service', 'create-order-saga'),
  'cancel-order-saga': replyChannel('order-service', 'cancel-order-saga'),
  'revise-order-saga': replyChannel('order-service', 'revise-order-saga'),
};

/**
 * The participants the sagas send commands to. order-service declares their command channels before it sends
 * anything, so a command sent while a participant has never run waits in its queue instead of being dropped.
 */
export const PARTICIPANTS = ['customer-service', 'kitchen-service', 'accounting-service'];

const replies = Object.values(REPLY_CHANNELS);
export const topology: Topology = {
  exchanges: [...replies.map((r) => r.name), ...PARTICIPANTS.map((p) => commandChannel(p).name)],
  queues: [...replies, ...PARTICIPANTS.map((p) => commandChannel(p))].flatMap((channel) => channel.topology.queues),
};

// order-service's own copy of the replies it consumes, parsed at the boundary.
const Ok = z.object({ orderId: z.uuid() });
const Failed = Ok.extend({ reason: z.string() });

export const replySchemas = {
  CreditReserved: Ok,
  CustomerCreditLimitExceeded: Ok.extend({ limit: z.number().int(), available: z.number().int() }),
  CustomerNotFound: Ok.extend({ customerId: z.uuid() }),
  CreditReservationRefused: Failed,
  CreditReleased: Ok,
  CreditReleaseFailed: Failed,
  CreditReinstated: Ok,
  TicketCreated: Ok,
  TicketRefused: Failed,
  TicketRejected: Ok,
  TicketApproved: Ok,
  TicketApprovalFailed: Failed,
  TicketCancelled: Ok,
  TicketCancellationRefused: Failed,
  PaymentAuthorized: Ok,
  PaymentDeclined: Failed,
  AuthorizationCancelled: Ok,
  CreditRevised: Ok,
  CreditRevisionRefused: Failed,
  CreditRevisionUndone: Ok,
};
