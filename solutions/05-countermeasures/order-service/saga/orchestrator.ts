import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, type Pool, type PoolClient } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import { appendToOutbox, handleOnce } from '#shared/platform/outbox/outbox.ts';
import { advance, afterOutcome, retryNow, type AdvanceSettings, type Change } from '#shared/platform/saga/advance.ts';
import type { SagaDefinition } from '#shared/platform/saga/dsl.ts';
import { holdBefore } from '#shared/platform/saga/holds.ts';
import { claimDueSaga, loadSaga, saveSaga, type SagaInstance } from '#shared/platform/saga/store.ts';
import type { OrderDetails } from '../db/orders.ts';
import { REPLY_CHANNELS } from '../messaging/contracts.ts';
import { outcomeOf, type Reply } from '../messaging/replies.ts';
import { cancelOrderSaga } from './cancel-order-saga.ts';
import { createOrderSaga } from './create-order-saga.ts';
import { react } from './react.ts';
import { reviseOrderSaga } from './revise-order-saga.ts';

/** Lab 04's orchestrator, for three kinds of saga: each saga instance names its type, which names its definition. */
export const SAGAS = {
  [createOrderSaga.name]: createOrderSaga,
  [cancelOrderSaga.name]: cancelOrderSaga,
  // Its data carries more than an order's details; the orchestrator only hands the data back to its steps.
  [reviseOrderSaga.name]: reviseOrderSaga as unknown as SagaDefinition<OrderDetails>,
} as Record<keyof typeof REPLY_CHANNELS, SagaDefinition<OrderDetails>>;

/** SAGA_STEP_TIMEOUT_MS: how long a step waits for its reply; SAGA_RETRY_DELAY_MS: the pause before a retry. */
function settingsFor(definition: { name: string }): AdvanceSettings {
  return {
    replyTo: REPLY_CHANNELS[definition.name as keyof typeof REPLY_CHANNELS].name,
    stepTimeoutMs: Number(process.env.SAGA_STEP_TIMEOUT_MS ?? 5_000),
    retryDelayMs: Number(process.env.SAGA_RETRY_DELAY_MS ?? 500),
    now: () => Date.now(),
    // The graders' pause points (shared/platform/saga/holds.ts): armed only through SAGA_TEST_HOOKS routes.
    holdBefore,
  };
}

function definitionOf(saga: SagaInstance<OrderDetails>): SagaDefinition<OrderDetails> {
  const definition = SAGAS[saga.type as keyof typeof REPLY_CHANNELS];
  if (!definition) throw new Error(`saga ${saga.id} has the unknown type ${saga.type}`);
  return definition;
}

/**
 * Starts a saga in the caller's transaction: its first step (a local one) runs here, and the saga instance
 * and its first command are saved with it. Returns the saga's id.
 */
export async function startSaga<Data extends OrderDetails>(tx: PoolClient, definition: SagaDefinition<Data>, data: Data): Promise<string> {
  const saga: SagaInstance<Data> = {
    id: randomUUID(),
    type: definition.name,
    state: 'RUNNING',
    step: 0,
    attempt: 1,
    compensations: [],
    awaiting: [],
    waitingFor: null,
    dueAt: null,
    data,
    failure: null,
  };
  const change = await advance(tx, definition, react, saga, { kind: 'invoke', step: 0 }, settingsFor(definition));
  await saveSaga(tx, change.saga, [{ step: 0, kind: 'state', detail: 'RUNNING' }, ...change.history]);
  await appendToOutbox(tx, ...change.commands);
  return saga.id;
}

/**
 * A participant answered. Once per reply (handleOnce), with the saga locked: the reply must answer a command
 * the saga is waiting for, else it is late and changes nothing. The saga's new state and its next command
 * are written in the same transaction as the dedup record.
 */
export async function handleReply(pool: Pool, reply: Reply): Promise<void> {
  await handleOnce(pool, reply.id, async (tx) => {
    const saga = reply.correlationId ? await loadSaga<OrderDetails>(tx, reply.correlationId, { forUpdate: true }) : undefined;
    if (!saga) return; // not one of our sagas
    const entry = { step: saga.step, messageType: reply.type, messageId: reply.id };
    const awaited = (saga.state === 'RUNNING' || saga.state === 'COMPENSATING') && reply.causationId !== undefined && saga.awaiting.includes(reply.causationId);
    if (!awaited) {
      await saveSaga(tx, saga, [{ ...entry, kind: 'ignored', detail: 'a reply the saga no longer waits for (late, or for a step already decided)' }]);
      return;
    }
    const definition = definitionOf(saga);
    const outcome = outcomeOf(reply);
    const change = await afterOutcome(tx, definition, react, saga, outcome, settingsFor(definition));
    change.history.unshift({ ...entry, kind: 'reply', detail: outcome.kind === 'failed' ? outcome.reason : outcome.kind });
    await saveSaga(tx, change.saga, change.history);
    await appendToOutbox(tx, ...change.commands);
  });
}

/** Moves one saga whose deadline passed, if any: a step timed out, or a retry (or a released hold) is due. */
export async function sweepOnce(pool: Pool): Promise<boolean> {
  return inTransaction(pool, async (tx) => {
    const saga = await claimDueSaga<OrderDetails>(tx, new Date());
    if (!saga) return false;
    const definition = definitionOf(saga);
    const settings = settingsFor(definition);
    let change: Change<OrderDetails>;
    if (saga.waitingFor === 'retry') {
      change = await retryNow(tx, definition, react, saga, settings);
    } else {
      change = await afterOutcome(tx, definition, react, saga, { kind: 'timed-out' }, settings);
      change.history.unshift({ step: saga.step, kind: 'timeout', detail: `no reply within ${settings.stepTimeoutMs} ms` });
    }
    await saveSaga(tx, change.saga, change.history);
    await appendToOutbox(tx, ...change.commands);
    return true;
  });
}

/** Sweeps in the background; deadlines live in the database, so a restarted orchestrator picks them up. */
export function startSweeper(pool: Pool, logger: Logger, intervalMs = 50): () => Promise<void> {
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
