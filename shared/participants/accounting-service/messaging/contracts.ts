import { z } from 'zod';

const Payment = z.object({ orderId: z.uuid(), customerId: z.uuid(), total: z.number().int().positive() });

/**
 * accounting-service's commands. AuthorizePayment is the Create Order saga's pivot: no saga undoes it.
 * CancelAuthorization is a step of lab 05's Cancel Order saga, a new decision about an order already paid.
 */
export const accountingCommandSchemas = {
  AuthorizePayment: Payment,
  CancelAuthorization: Payment,
};

export type AccountingReply =
  | { type: 'PaymentAuthorized'; payload: { orderId: string } }
  | { type: 'PaymentDeclined'; payload: { orderId: string; reason: string } }
  | { type: 'AuthorizationCancelled'; payload: { orderId: string } };
