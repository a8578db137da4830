import { z } from 'zod';

const Ticket = z.object({ orderId: z.uuid(), total: z.number().int().positive() });

/** kitchen-service's commands. */
export const kitchenCommandSchemas = {
  CreateTicket: Ticket,
  RejectTicket: Ticket,
  ApproveTicket: Ticket,
  /** Lab 05's Cancel Order saga: the kitchen may refuse once it started cooking. */
  CancelTicket: Ticket,
};

/** Its replies. */
export type KitchenReply =
  | { type: 'TicketCreated'; payload: { orderId: string } }
  | { type: 'TicketRefused'; payload: { orderId: string; reason: string } }
  | { type: 'TicketRejected'; payload: { orderId: string } }
  | { type: 'TicketApproved'; payload: { orderId: string } }
  | { type: 'TicketApprovalFailed'; payload: { orderId: string; reason: string } }
  | { type: 'TicketCancelled'; payload: { orderId: string } }
  | { type: 'TicketCancellationRefused'; payload: { orderId: string; reason: string } };
