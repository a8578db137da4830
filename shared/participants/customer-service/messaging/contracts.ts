import { z } from 'zod';

/**
 * customer-service's commands (what an orchestrator may ask) and its replies. Lab 03 reacted to events; here
 * it is told what to do, and answers whoever asked.
 */
const Credit = z.object({ orderId: z.uuid(), customerId: z.uuid(), total: z.number().int().positive() });

export const customerCommandSchemas = {
  ReserveCredit: Credit,
  ReleaseCredit: Credit,
  /** The compensation of a release (lab 05's Cancel Order saga): the order holds its credit again. */
  ReinstateCredit: Credit,
  /** Lab 05's Revise Order saga: the order's reservation grows (checked against the limit) or shrinks by `delta`, once per revision. */
  ReviseCredit: z.object({ orderId: z.uuid(), customerId: z.uuid(), revisionId: z.uuid(), delta: z.number().int() }),
  /** Its compensation: the revision taken back. */
  UndoCreditRevision: z.object({ orderId: z.uuid(), customerId: z.uuid(), revisionId: z.uuid(), delta: z.number().int() }),
};

export type CustomerReply =
  | { type: 'CreditReserved'; payload: { orderId: string } }
  | { type: 'CustomerCreditLimitExceeded'; payload: { orderId: string; limit: number; available: number } }
  | { type: 'CustomerNotFound'; payload: { orderId: string; customerId: string } }
  | { type: 'CreditReservationRefused'; payload: { orderId: string; reason: string } }
  | { type: 'CreditReleased'; payload: { orderId: string } }
  | { type: 'CreditReleaseFailed'; payload: { orderId: string; reason: string } }
  | { type: 'CreditReinstated'; payload: { orderId: string } }
  | { type: 'CreditRevised'; payload: { orderId: string } }
  | { type: 'CreditRevisionRefused'; payload: { orderId: string; reason: string } }
  | { type: 'CreditRevisionUndone'; payload: { orderId: string } };
