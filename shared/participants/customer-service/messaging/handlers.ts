import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from '../../../platform/db.ts';
import type { DeliveredFor } from '../../../platform/messaging.ts';
import { dispatch } from '../../../platform/messaging/handler-map.ts';
import { handleOnce } from '../../../platform/outbox/outbox.ts';
import { answer, totalKnob } from '../../answers.ts';
import { LOCKED_INCREMENTS, type CreditAccess } from '../db/credit-access.ts';
import { reinstateCredit, releaseCredit, reserveCredit } from '../db/credit.ts';
import { reviseCredit, undoCreditRevision } from '../db/revision.ts';
import type { customerCommandSchemas, CustomerReply } from './contracts.ts';

export type CustomerCommand = DeliveredFor<typeof customerCommandSchemas>;

/**
 * Fault knob RELEASE_FAILS_TOTAL (order totals, see answers.ts) with RELEASE_FAILURES=n (default 3): the first
 * n ReleaseCredit commands for such an order are answered CreditReleaseFailed, with nothing released (a
 * compensation that fails, as when a downstream ledger is briefly unavailable). Counted per order in this
 * process: a restart starts counting again.
 */
const releaseFails = totalKnob('RELEASE_FAILS_TOTAL');
const releaseFailures = Number(process.env.RELEASE_FAILURES ?? 3);
const releaseFailed = new Map<string, number>();

const reactTo = (credit: CreditAccess) =>
  dispatch<CustomerCommand, PoolClient, Promise<CustomerReply>>({
    ReserveCredit: async ({ payload: { orderId, customerId, total } }, tx) => {
      const outcome = await reserveCredit(tx, { orderId, customerId, amount: total }, credit);
      switch (outcome.kind) {
        case 'reserved':
          return { type: 'CreditReserved', payload: { orderId } };
        case 'limit-exceeded':
          return { type: 'CustomerCreditLimitExceeded', payload: { orderId, limit: outcome.limit, available: outcome.available } };
        case 'customer-not-found':
          return { type: 'CustomerNotFound', payload: { orderId, customerId } };
        case 'released-already':
          return { type: 'CreditReservationRefused', payload: { orderId, reason: 'the reservation was already released (compensated)' } };
      }
    },
    ReleaseCredit: async ({ payload: { orderId, customerId, total } }, tx) => {
      const failedSoFar = releaseFailed.get(orderId) ?? 0;
      if (releaseFails(total) && failedSoFar < releaseFailures) {
        releaseFailed.set(orderId, failedSoFar + 1);
        return { type: 'CreditReleaseFailed', payload: { orderId, reason: `fault knob RELEASE_FAILS_TOTAL: release ${failedSoFar + 1} of ${releaseFailures} failed` } };
      }
      await releaseCredit(tx, { orderId, customerId, amount: total }, credit);
      return { type: 'CreditReleased', payload: { orderId } };
    },
    ReinstateCredit: async ({ payload: { orderId } }, tx) => {
      await reinstateCredit(tx, orderId, credit);
      return { type: 'CreditReinstated', payload: { orderId } };
    },
    ReviseCredit: async ({ payload }, tx) => {
      const outcome = await reviseCredit(tx, payload, credit);
      const { orderId } = payload;
      switch (outcome.kind) {
        case 'revised':
          return { type: 'CreditRevised', payload: { orderId } };
        case 'limit-exceeded':
          return { type: 'CustomerCreditLimitExceeded', payload: { orderId, limit: outcome.limit, available: outcome.available } };
        case 'refused':
          return { type: 'CreditRevisionRefused', payload: { orderId, reason: outcome.reason } };
      }
    },
    UndoCreditRevision: async ({ payload }, tx) => {
      await undoCreditRevision(tx, payload, credit);
      return { type: 'CreditRevisionUndone', payload: { orderId: payload.orderId } };
    },
  });

/**
 * Each command once (handleOnce on its message id); the reply in the same transaction as the change. `credit`
 * says how credit is read and written: locked increments, unless lab 05 brings its own (credit-access.ts).
 */
export function customerHandler(credit: CreditAccess = LOCKED_INCREMENTS) {
  const react = reactTo(credit);
  return async (pool: Pool, command: CustomerCommand): Promise<void> => {
    await handleOnce(pool, command.id, async (tx) => {
      await answer(tx, command, { id: randomUUID(), ...(await react(command, tx)) });
    });
  };
}
