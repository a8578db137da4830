import type { PoolClient } from '../db.ts';

/**
 * A small language for orchestrated sagas (lab 04 on): a saga is a list of steps, each made with the
 * function that names its kind, so a definition reads like the step table of the lab page.
 *
 *   defineSaga('create-order-saga', [
 *     compensatable('reserve credit', send('customer-service', 'ReserveCredit', (d) => ...), send('customer-service', 'ReleaseCredit', (d) => ...)),
 *     pivot('authorize payment', send('accounting-service', 'AuthorizePayment', (d) => ...)),
 *     retriable('approve ticket', send('kitchen-service', 'ApproveTicket', (d) => ...)),
 *   ])
 *
 * No framework: the orchestrator that runs a definition is a few hundred lines of the kit, to read.
 */

/**
 * - compensatable: before the pivot; can be undone by its compensation if a later step fails;
 * - pivot: the go/no-go step; once it succeeds the saga can only go forward, and it is never undone;
 * - retriable: after the pivot; cannot fail for good, so it is retried until it succeeds.
 */
export type StepKind = 'compensatable' | 'pivot' | 'retriable';

/** Extra facts a local action may need besides the saga's data. */
export interface LocalContext {
  sagaId: string;
  /** Why the saga is compensating, once a step failed. */
  failure: string | null;
}

/**
 * What a local action may answer instead of nothing: it refused, having changed nothing, and the step fails
 * as if a participant had replied with a failure (lab 05: a write that rereads the record and finds it
 * changed since the saga read it).
 */
export interface LocalRefusal {
  refused: string;
}

/**
 * What a step (or its compensation) does: send a command to a participant and wait for its reply, or change
 * the orchestrator's own database, in the transaction that saves the saga's new state (a local action
 * cannot fail halfway: it commits with the state change or not at all).
 */
export type Action<Data> =
  | { kind: 'command'; participant: string; type: string; payload: (data: Data) => unknown }
  | { kind: 'local'; participant: string; type: string; run: (tx: PoolClient, data: Data, context: LocalContext) => Promise<void | LocalRefusal> };

export interface SagaStep<Data> {
  name: string;
  kind: StepKind;
  invoke: Action<Data>;
  /** Only a compensatable step has one. */
  compensation?: Action<Data>;
}

export interface SagaDefinition<Data> {
  /** Names the saga's type and its reply channel: `create-order-saga`. */
  name: string;
  steps: ReadonlyArray<SagaStep<Data>>;
}

/** A command to `participant`'s command channel; the step waits for the reply. */
export function send<Data>(participant: string, type: string, payload: (data: Data) => unknown): Action<Data> {
  return { kind: 'command', participant, type, payload };
}

/** A change in the orchestrator's own database (`participant` names the service for the history). */
export function local<Data>(participant: string, type: string, run: (tx: PoolClient, data: Data, context: LocalContext) => Promise<void | LocalRefusal>): Action<Data> {
  return { kind: 'local', participant, type, run };
}

export function compensatable<Data>(name: string, invoke: Action<Data>, compensation: Action<Data>): SagaStep<Data> {
  return { name, kind: 'compensatable', invoke, compensation };
}

export function pivot<Data>(name: string, invoke: Action<Data>): SagaStep<Data> {
  return { name, kind: 'pivot', invoke };
}

export function retriable<Data>(name: string, invoke: Action<Data>): SagaStep<Data> {
  return { name, kind: 'retriable', invoke };
}

/**
 * Checks the saga's shape once, at start-up: compensatable steps, then at most one pivot, then retriable
 * steps. A step out of place is a design error that no run of the saga should have to discover.
 */
export function defineSaga<Data>(name: string, steps: ReadonlyArray<SagaStep<Data>>): SagaDefinition<Data> {
  if (steps.length === 0) throw new Error(`saga ${name}: a saga needs at least one step`);
  const order: Record<StepKind, number> = { compensatable: 0, pivot: 1, retriable: 2 };
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    if (previous && order[step.kind] < order[previous.kind]) {
      throw new Error(`saga ${name}: step ${i + 1} (${step.name}) is ${step.kind} but comes after a ${previous.kind} step; the order is compensatable steps, the pivot, then retriable steps`);
    }
    if (step.kind === 'pivot' && previous?.kind === 'pivot') throw new Error(`saga ${name}: two pivots (steps ${i} and ${i + 1}); a saga has at most one`);
    if (step.kind === 'compensatable' && !step.compensation) throw new Error(`saga ${name}: step ${i + 1} (${step.name}) is compensatable but has no compensation`);
  });
  return { name, steps };
}
