import { randomUUID } from 'node:crypto';
import type { PoolClient } from '../db.ts';
import { commandChannel } from '../messaging.ts';
import type { OutboxCommand } from '../outbox/outbox.ts';
import type { Action, SagaDefinition } from './dsl.ts';
import type { HistoryEntry, SagaInstance } from './store.ts';

/** What became of the current step (or compensation): its reply said so, or no reply came in time. */
export type Outcome = { kind: 'succeeded' } | { kind: 'failed'; reason: string } | { kind: 'timed-out' };

/** What the orchestrator does next: the answer of the lab's `react` function. */
export type Next =
  /** Run this step forward (send its command, or run its local action). */
  | { kind: 'invoke'; step: number }
  /** Run these compensations, in this order: the first now, the others as each one succeeds. */
  | { kind: 'compensate'; steps: number[] }
  /** Run the current step or compensation again, after a pause. */
  | { kind: 'retry' }
  /** Every step succeeded. */
  | { kind: 'complete' }
  /** Every compensation needed succeeded. */
  | { kind: 'compensated' };

/** Where a saga stands, as `react` sees it. */
export interface Position {
  state: 'RUNNING' | 'COMPENSATING';
  /** The current step's index (while compensating: the step whose compensation is running). */
  step: number;
  /** How many times the current step or compensation was tried (1 the first time). */
  attempt: number;
  /** While compensating: the compensations still to run after the current one. */
  remaining: number[];
}

export type React<Data> = (definition: SagaDefinition<Data>, at: Position, outcome: Outcome) => Next;

export interface AdvanceSettings {
  /** The reply channel's name (a command's `replyTo`). */
  replyTo: string;
  /** How long a step waits for its reply before it counts as timed out. */
  stepTimeoutMs: number;
  /** The pause before a retry. */
  retryDelayMs: number;
  now: () => number;
  /**
   * A test hook (lab 05 on, see holds.ts): true parks the saga just before this step, until the grader
   * releases it. Only graders and demos set it, to force two sagas to interleave at a named point.
   */
  holdBefore?: (saga: string, step: string, data: unknown) => boolean;
}

/** A saga's new state, the commands to send, and what to add to its history: saved in one transaction. */
export interface Change<Data> {
  saga: SagaInstance<Data>;
  commands: OutboxCommand[];
  history: HistoryEntry[];
}

export function positionOf(saga: SagaInstance<unknown>): Position {
  if (saga.state !== 'RUNNING' && saga.state !== 'COMPENSATING') throw new Error(`saga ${saga.id} has ended (${saga.state}): nothing moves it any more`);
  return { state: saga.state, step: saga.step, attempt: saga.attempt, remaining: saga.compensations };
}

/** The action the saga is on: the current step's, or its compensation while compensating. */
export function currentAction<Data>(definition: SagaDefinition<Data>, saga: SagaInstance<Data>): Action<Data> {
  const step = definition.steps[saga.step];
  if (!step) throw new Error(`saga ${definition.name} has no step ${saga.step + 1}`);
  if (saga.state !== 'COMPENSATING') return step.invoke;
  if (!step.compensation) throw new Error(`saga ${definition.name}: step ${saga.step + 1} (${step.name}) has no compensation to run`);
  return step.compensation;
}

/**
 * Applies `next` to the saga: the machinery around the lab's `react`. A local action runs at once in `tx`
 * and its outcome (done, or refused) is known at once, so `react` is asked again; a command is built (not
 * sent: the caller appends it to the outbox with the saga's new state) and the saga then waits for its reply
 * until the step's deadline.
 */
export async function advance<Data>(tx: PoolClient, definition: SagaDefinition<Data>, react: React<Data>, saga: SagaInstance<Data>, next: Next, settings: AdvanceSettings): Promise<Change<Data>> {
  const change: Change<Data> = { saga: { ...saga }, commands: [], history: [] };
  const s = change.saga;
  for (;;) {
    switch (next.kind) {
      case 'complete':
      case 'compensated':
        s.state = next.kind === 'complete' ? 'COMPLETED' : 'COMPENSATED';
        Object.assign(s, { awaiting: [], compensations: [], waitingFor: null, dueAt: null });
        change.history.push({ step: s.step, kind: 'state', detail: s.state });
        return change;
      case 'retry':
        s.attempt += 1;
        // The commands of earlier attempts stay awaited: whichever reply comes first decides.
        Object.assign(s, { waitingFor: 'retry', dueAt: new Date(settings.now() + settings.retryDelayMs) });
        change.history.push({ step: s.step, kind: 'retry', detail: `attempt ${s.attempt} in ${settings.retryDelayMs} ms` });
        return change;
      case 'invoke':
        Object.assign(s, { state: 'RUNNING', step: next.step, attempt: 1, awaiting: [], compensations: [] });
        if (settings.holdBefore?.(definition.name, definition.steps[next.step]!.name, s.data)) {
          // A retry with no due time: the sweeper leaves it alone until a release sets one (holds.ts).
          Object.assign(s, { waitingFor: 'retry', dueAt: null });
          change.history.push({ step: s.step, kind: 'state', detail: `HELD before step ${s.step + 1} (${definition.steps[s.step]!.name}) by a test hook` });
          return change;
        }
        break;
      case 'compensate': {
        const [first, ...rest] = next.steps;
        if (first === undefined) throw new Error(`saga ${definition.name}: react answered 'compensate' with no step (answer 'compensated' when nothing is left)`);
        if (s.state === 'RUNNING') change.history.push({ step: s.step, kind: 'state', detail: `COMPENSATING${s.failure ? `: ${s.failure}` : ''}` });
        Object.assign(s, { state: 'COMPENSATING', step: first, attempt: 1, awaiting: [], compensations: rest });
        break;
      }
    }
    const outcome = await run(tx, definition, change, settings);
    if (!outcome) return change;
    next = react(definition, positionOf(s), outcome);
    if (next.kind === 'compensate' && s.state === 'RUNNING' && outcome.kind === 'failed') s.failure = outcome.reason;
  }
}

/**
 * Runs the saga's current action: a local one in `tx` (returns its outcome at once: done, or refused), or a
 * command added to the change, awaited until the step's deadline (returns undefined). The sweeper calls it
 * again for a retry.
 */
export async function run<Data>(tx: PoolClient, definition: SagaDefinition<Data>, change: Change<Data>, settings: AdvanceSettings): Promise<Outcome | undefined> {
  const s = change.saga;
  const action = currentAction(definition, s);
  const what = s.state === 'COMPENSATING' ? 'compensation' : 'step';
  if (action.kind === 'local') {
    const refusal = await action.run(tx, s.data, { sagaId: s.id, failure: s.failure });
    if (refusal) {
      change.history.push({ step: s.step, kind: 'local', messageType: action.type, detail: `${what} refused by ${action.participant}: ${refusal.refused}` });
      return { kind: 'failed', reason: refusal.refused };
    }
    change.history.push({ step: s.step, kind: 'local', messageType: action.type, detail: `${what} done by ${action.participant}` });
    return { kind: 'succeeded' };
  }
  const command: OutboxCommand = {
    id: randomUUID(),
    type: action.type,
    aggregateId: s.id,
    payload: action.payload(s.data),
    destination: commandChannel(action.participant).destination,
    correlationId: s.id,
    causationId: s.id,
    replyTo: settings.replyTo,
  };
  change.commands.push(command);
  Object.assign(s, { awaiting: [...s.awaiting, command.id], waitingFor: 'reply', dueAt: new Date(settings.now() + settings.stepTimeoutMs) });
  change.history.push({ step: s.step, kind: 'command', messageType: command.type, messageId: command.id, detail: `${what} to ${action.participant}, attempt ${s.attempt}` });
  return undefined;
}

/**
 * The current step's outcome is known (a reply, or its deadline passed): ask `react` what comes next, and
 * apply it. A saga that starts compensating remembers why, for the history and the rejected order.
 */
export async function afterOutcome<Data>(tx: PoolClient, definition: SagaDefinition<Data>, react: React<Data>, saga: SagaInstance<Data>, outcome: Outcome, settings: AdvanceSettings): Promise<Change<Data>> {
  const next = react(definition, positionOf(saga), outcome);
  const s = { ...saga };
  if (next.kind === 'compensate' && s.state === 'RUNNING') {
    const step = definition.steps[s.step];
    s.failure = outcome.kind === 'failed' ? outcome.reason : `step ${s.step + 1} (${step?.name}) did not answer within ${settings.stepTimeoutMs} ms`;
  }
  return advance(tx, definition, react, s, next, settings);
}

/** A retry is due: run the current action again (a new command, awaited with the earlier ones). */
export async function retryNow<Data>(tx: PoolClient, definition: SagaDefinition<Data>, react: React<Data>, saga: SagaInstance<Data>, settings: AdvanceSettings): Promise<Change<Data>> {
  const change: Change<Data> = { saga: { ...saga }, commands: [], history: [] };
  const outcome = await run(tx, definition, change, settings);
  if (!outcome) return change;
  const after = await afterOutcome(tx, definition, react, change.saga, outcome, settings);
  return { saga: after.saga, commands: [...change.commands, ...after.commands], history: [...change.history, ...after.history] };
}
