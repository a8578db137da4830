import { z } from 'zod';

/** accounting-service's one command: the Create Order saga's pivot. There is no undo: a payment is final. */
export const accountingCommandSchemas = {
  AuthorizePayment: z.object({ orderId: z.uuid(), customerId: z.uuid(), total: z.number().int().positive() }),
};

export type AccountingReply =
  | { type: 'PaymentAuthorized'; payload: { orderId: string } }
  | { type: 'PaymentDeclined'; payload: { orderId: string; reason: string } };
