import { z } from 'zod';

const Ticket = z.object({ orderId: z.uuid(), total: z.number().int().positive() });

/** kitchen-service's commands. */
export const kitchenCommandSchemas = {
  CreateTicket: Ticket,
  RejectTicket: Ticket,
  ApproveTicket: Ticket,
};

/** Its replies. */
export type KitchenReply =
  | { type: 'TicketCreated'; payload: { orderId: string } }
  | { type: 'TicketRefused'; payload: { orderId: string; reason: string } }
  | { type: 'TicketRejected'; payload: { orderId: string } }
  | { type: 'TicketApproved'; payload: { orderId: string } }
  | { type: 'TicketApprovalFailed'; payload: { orderId: string; reason: string } };
