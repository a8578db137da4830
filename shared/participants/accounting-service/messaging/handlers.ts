import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '../../../platform/db.ts';
import type { DeliveredFor } from '../../../platform/messaging.ts';
import { dispatch } from '../../../platform/messaging/handler-map.ts';
import { handleOnce } from '../../../platform/outbox/outbox.ts';
import { answer, totalKnob } from '../../answers.ts';
import { authorize, cancelAuthorization, recordOperation } from '../db/authorizations.ts';
import { actAsReceived, type PaymentDecision } from '../domain/payment-decision.ts';
import type { AccountingReply, accountingCommandSchemas } from './contracts.ts';

export type AccountingCommand = DeliveredFor<typeof accountingCommandSchemas>;

/**
 * Fault knobs, each an order total (unset: no fault):
 * - ACCOUNTING_DECLINE_TOTAL: the payment of such an order is declined (a card the bank refuses);
 * - ACCOUNTING_HOLD_TOTAL: the reply to AuthorizePayment for such an order is held back (see answers.ts)
 *   until POST /admin/held-replies/release.
 */
const declines = totalKnob('ACCOUNTING_DECLINE_TOTAL');
const holds = totalKnob('ACCOUNTING_HOLD_TOTAL');

/**
 * accounting's handler, with `decide` choosing what each command does from the order's version file
 * (lab 05 passes its own; the other labs use `actAsReceived`). Every command is recorded in the file.
 */
export function accountingHandler(decide: PaymentDecision) {
  const reactTo = dispatch<AccountingCommand, PoolClient, Promise<AccountingReply>>({
    AuthorizePayment: async ({ payload: { orderId, customerId, total } }, tx) => {
      const effect = decide(await recordOperation(tx, orderId, 'authorize'), 'authorize');
      if (effect !== 'authorize') return { type: 'PaymentDeclined', payload: { orderId, reason: "the order's payment was cancelled before this authorization arrived" } };
      const decision = declines(total)
        ? await authorize(tx, { orderId, customerId, total, state: 'DECLINED', reason: 'fault knob ACCOUNTING_DECLINE_TOTAL: the card was declined' })
        : await authorize(tx, { orderId, customerId, total, state: 'AUTHORIZED' });
      if (decision.state === 'AUTHORIZED') return { type: 'PaymentAuthorized', payload: { orderId } };
      return { type: 'PaymentDeclined', payload: { orderId, reason: decision.reason ?? `the authorization is ${decision.state}` } };
    },
    CancelAuthorization: async ({ payload: { orderId } }, tx) => {
      const effect = decide(await recordOperation(tx, orderId, 'cancel'), 'cancel');
      if (effect === 'cancel') await cancelAuthorization(tx, orderId);
      return { type: 'AuthorizationCancelled', payload: { orderId } };
    },
  });
  return async (pool: Pool, command: AccountingCommand): Promise<void> => {
    await handleOnce(pool, command.id, async (tx) => {
      await answer(tx, command, { id: randomUUID(), ...(await reactTo(command, tx)) }, { hold: command.type === 'AuthorizePayment' && holds(command.payload.total) });
    });
  };
}

export const handleAccountingCommand = accountingHandler(actAsReceived);
