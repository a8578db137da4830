import { z } from 'zod';
import { commandChannel, replyChannel, type Topology } from '#shared/platform/messaging.ts';

/** The saga's type: it names the reply channel, `order-service.create-order-saga.replies`. */
export const SAGA = 'create-order-saga';
export const REPLIES = replyChannel('order-service', SAGA);

/**
 * The participants the saga sends commands to. order-service declares their command channels before it sends
 * anything, so a command sent while a participant has never run waits in its queue instead of being dropped.
 */
export const PARTICIPANTS = ['customer-service', 'kitchen-service', 'accounting-service'];

export const topology: Topology = {
  exchanges: [REPLIES.name, ...PARTICIPANTS.map((p) => commandChannel(p).name)],
  queues: [REPLIES, ...PARTICIPANTS.map((p) => commandChannel(p))].flatMap((channel) => channel.topology.queues),
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
  TicketCreated: Ok,
  TicketRefused: Failed,
  TicketRejected: Ok,
  TicketApproved: Ok,
  TicketApprovalFailed: Failed,
  PaymentAuthorized: Ok,
  PaymentDeclined: Failed,
};
