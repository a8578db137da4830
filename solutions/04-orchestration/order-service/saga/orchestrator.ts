import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, type Pool } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';
import { advance, afterOutcome, retryNow, type AdvanceSettings, type Change } from '#shared/platform/saga/advance.ts';
import { claimDueSaga, loadSaga, saveSaga, type SagaInstance } from '#shared/platform/saga/store.ts';
import type { OrderDetails } from '../db/orders.ts';
import { REPLIES } from '../messaging/contracts.ts';
import { outcomeOf, type Reply } from '../messaging/replies.ts';
import { afterReplyHandled } from './crash-hook.ts';
import { createOrderSaga } from './definition.ts';
import { react } from './react.ts';

/** SAGA_STEP_TIMEOUT_MS: how long a step waits for its reply; SAGA_RETRY_DELAY_MS: the pause before a retry. */
export const settings: AdvanceSettings = {
  replyTo: REPLIES.name,
  stepTimeoutMs: Number(process.env.SAGA_STEP_TIMEOUT_MS ?? 5_000),
  retryDelayMs: Number(process.env.SAGA_RETRY_DELAY_MS ?? 500),
  now: () => Date.now(),
};

/**
 * Starts a Create Order saga: its first step (the pending order) runs here, and the saga instance and the
 * first command are saved in the same transaction. Returns the saga's id.
 */
export async function startCreateOrderSaga(pool: Pool, order: OrderDetails): Promise<string> {
  const saga: SagaInstance<OrderDetails> = {
    id: randomUUID(),
    type: createOrderSaga.name,
    state: 'RUNNING',
    step: 0,
    attempt: 1,
    compensations: [],
    awaiting: [],
    waitingFor: null,
    dueAt: null,
    data: order,
    failure: null,
  };
  await inTransaction(pool, async (tx) => {
    const change = await advance(tx, createOrderSaga, react, saga, { kind: 'invoke', step: 0 }, settings);
    await saveSaga(tx, change.saga, [{ step: 0, kind: 'state', detail: 'RUNNING' }, ...change.history]);
    await appendToOutbox(tx, ...change.commands);
  });
  return saga.id;
}

// #region handle-reply
/**
 * A participant answered. Once per reply (handleOnce), with the saga locked: the reply must answer a command
 * the saga is waiting for, else it is late (its step timed out, or the saga moved on) and changes nothing.
 * The saga's new state and its next command are written in the same transaction as the dedup record.
 */
export async function handleReply(pool: Pool, reply: Reply): Promise<void> {
  let handledStep: number | undefined;
  await handleOnce(pool, reply.id, async (tx) => {
    const saga = reply.correlationId ? await loadSaga<OrderDetails>(tx, reply.correlationId, { forUpdate: true }) : undefined;
    if (!saga) return; // not one of our sagas
    const entry = { step: saga.step, messageType: reply.type, messageId: reply.id };
    const awaited = (saga.state === 'RUNNING' || saga.state === 'COMPENSATING') && reply.causationId !== undefined && saga.awaiting.includes(reply.causationId);
    if (!awaited) {
      await saveSaga(tx, saga, [{ ...entry, kind: 'ignored', detail: 'a reply the saga no longer waits for (late, or for a step already decided)' }]);
      return;
    }
    handledStep = saga.step;
    const outcome = outcomeOf(reply);
    const change = await afterOutcome(tx, createOrderSaga, react, saga, outcome, settings);
    change.history.unshift({ ...entry, kind: 'reply', detail: outcome.kind === 'failed' ? outcome.reason : outcome.kind });
    await saveSaga(tx, change.saga, change.history);
    await appendToOutbox(tx, ...change.commands);
  });
  if (handledStep !== undefined) afterReplyHandled(handledStep);
}
// #endregion handle-reply

/**
 * Moves one saga whose deadline passed, if any: a step that got no reply in time counts as timed out, and a
 * retry that is due runs. Returns whether it found one.
 */
export async function sweepOnce(pool: Pool): Promise<boolean> {
  return inTransaction(pool, async (tx) => {
    const saga = await claimDueSaga<OrderDetails>(tx, new Date(settings.now()));
    if (!saga) return false;
    let change: Change<OrderDetails>;
    if (saga.waitingFor === 'retry') {
      change = await retryNow(tx, createOrderSaga, react, saga, settings);
    } else {
      change = await afterOutcome(tx, createOrderSaga, react, saga, { kind: 'timed-out' }, settings);
      change.history.unshift({ step: saga.step, kind: 'timeout', detail: `no reply within ${settings.stepTimeoutMs} ms` });
    }
    await saveSaga(tx, change.saga, change.history);
    await appendToOutbox(tx, ...change.commands);
    return true;
  });
}

/** Sweeps in the background; deadlines live in the database, so a restarted orchestrator picks them up. */
export function startSweeper(pool: Pool, logger: Logger, intervalMs = 100): () => Promise<void> {
  const stop = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stop.signal }).catch(() => {});
  const running = (async () => {
    while (!stop.signal.aborted) {
      const moved = await sweepOnce(pool).catch((error: unknown) => {
        logger.warn({ err: error }, 'saga sweep failed; retrying');
        return false;
      });
      if (!moved) await pause(intervalMs);
    }
  })();
  return async () => {
    stop.abort();
    await running;
  };
}
