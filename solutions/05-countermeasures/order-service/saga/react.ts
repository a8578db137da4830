import type { Next, Outcome, Position } from '#shared/platform/saga/advance.ts';
import type { SagaDefinition } from '#shared/platform/saga/dsl.ts';

// #region react
/**
 * The orchestrator's decision, each time the current step's outcome is known: a reply came, or none came
 * in time. Pure: the machinery around it saves the new state and sends the next command in one transaction.
 */
export function react<Data>(definition: SagaDefinition<Data>, at: Position, outcome: Outcome): Next {
  const step = definition.steps[at.step]!;
  if (at.state === 'COMPENSATING') {
    // A compensation must end up done, or the saga stops half-way with something still held: never give up.
    if (outcome.kind !== 'succeeded') return { kind: 'retry' };
    return at.remaining.length > 0 ? { kind: 'compensate', steps: at.remaining } : { kind: 'compensated' };
  }
  if (outcome.kind === 'succeeded') {
    return at.step + 1 < definition.steps.length ? { kind: 'invoke', step: at.step + 1 } : { kind: 'complete' };
  }
  // After the pivot the saga only goes forward: whatever went wrong, a retriable step is tried again.
  if (step.kind === 'retriable') return { kind: 'retry' };
  if (outcome.kind === 'failed') {
    // The step said no, so it did nothing: undo the steps before it.
    return compensateOrEnd(compensationsFrom(definition, at.step - 1));
  }
  // No answer in time. The pivot decides the saga: undoing anything before its answer is known could leave a
  // payment taken for a rejected order, so ask again.
  if (step.kind === 'pivot') return { kind: 'retry' };
  // A compensatable step that did not answer may still have happened: undo it too (compensations are safe
  // for a step that never happened).
  return compensateOrEnd(compensationsFrom(definition, at.step));
}

/** The compensations of the steps up to `last` (included), in the order they must run: the latest first. */
export function compensationsFrom<Data>(definition: SagaDefinition<Data>, last: number): number[] {
  const done = definition.steps.slice(0, last + 1).flatMap((step, i) => (step.compensation ? [i] : []));
  return done.reverse();
}
// #endregion react

function compensateOrEnd(steps: number[]): Next {
  return steps.length > 0 ? { kind: 'compensate', steps } : { kind: 'compensated' };
}
