import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '../../../platform/db.ts';
import type { DeliveredFor } from '../../../platform/messaging.ts';
import { dispatch } from '../../../platform/messaging/handler-map.ts';
import { handleOnce } from '../../../platform/outbox/outbox.ts';
import { answer, totalKnob } from '../../answers.ts';
import { approveTicket, cancelTicket, createTicket, rejectTicket } from '../db/tickets.ts';
import type { KitchenReply, kitchenCommandSchemas } from './contracts.ts';

export type KitchenCommand = DeliveredFor<typeof kitchenCommandSchemas>;

/**
 * Fault knobs, each an order total (unset: no fault):
 * - KITCHEN_REFUSE_TOTAL: CreateTicket for such an order is answered TicketRefused (the kitchen cannot make it);
 * - KITCHEN_HOLD_TOTAL: the reply to CreateTicket for such an order is held back (see answers.ts): the
 *   kitchen creates the ticket but never answers, until POST /admin/held-replies/release. Its other replies
 *   (to the compensation, say) go out as usual;
 * - KITCHEN_CANCEL_REFUSE_TOTAL: CancelTicket for such an order is answered TicketCancellationRefused (the
 *   kitchen already started cooking it), with the ticket left as it was.
 */
const refuses = totalKnob('KITCHEN_REFUSE_TOTAL');
const holds = totalKnob('KITCHEN_HOLD_TOTAL');
const refusesCancel = totalKnob('KITCHEN_CANCEL_REFUSE_TOTAL');

const reactTo = dispatch<KitchenCommand, PoolClient, Promise<KitchenReply>>({
  CreateTicket: async ({ payload: { orderId, total } }, tx) => {
    if (refuses(total)) return { type: 'TicketRefused', payload: { orderId, reason: 'fault knob KITCHEN_REFUSE_TOTAL: the kitchen cannot make this order' } };
    const outcome = await createTicket(tx, orderId, total);
    if (outcome === 'REJECTED') return { type: 'TicketRefused', payload: { orderId, reason: 'the ticket was already rejected (compensated)' } };
    return { type: 'TicketCreated', payload: { orderId } };
  },
  RejectTicket: async ({ payload: { orderId, total } }, tx) => {
    await rejectTicket(tx, orderId, total);
    return { type: 'TicketRejected', payload: { orderId } };
  },
  ApproveTicket: async ({ payload: { orderId } }, tx) => {
    const state = await approveTicket(tx, orderId);
    if (state === 'APPROVED') return { type: 'TicketApproved', payload: { orderId } };
    return { type: 'TicketApprovalFailed', payload: { orderId, reason: state ? `the ticket is ${state}` : 'no such ticket' } };
  },
  CancelTicket: async ({ payload: { orderId, total } }, tx) => {
    if (refusesCancel(total)) return { type: 'TicketCancellationRefused', payload: { orderId, reason: 'fault knob KITCHEN_CANCEL_REFUSE_TOTAL: the kitchen already started cooking' } };
    await cancelTicket(tx, orderId);
    return { type: 'TicketCancelled', payload: { orderId } };
  },
});

export async function handleKitchenCommand(pool: Pool, command: KitchenCommand): Promise<void> {
  await handleOnce(pool, command.id, async (tx) => {
    await answer(tx, command, { id: randomUUID(), ...(await reactTo(command, tx)) }, { hold: command.type === 'CreateTicket' && holds(command.payload.total) });
  });
}
