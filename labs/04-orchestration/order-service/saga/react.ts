import type { Next, Outcome, Position } from '#shared/platform/saga/advance.ts';
import type { SagaDefinition } from '#shared/platform/saga/dsl.ts';
import { LabTodo } from '#shared/platform/todo.ts';

// #region react
/**
 * The orchestrator's decision, each time the current step's outcome is known: a reply came, or none came
 * in time. Pure: the machinery around it saves the new state and sends the next command in one transaction.
 */
export function react<Data>(definition: SagaDefinition<Data>, at: Position, outcome: Outcome): Next {
  // TODO(lab 04): decide what comes next. Going forward, a success invokes the next step (or completes the
  // saga). Otherwise, ask which kind of step this is: what may be undone, what must be asked again, and what
  // must never be undone? While compensating, what if a compensation fails? `at.remaining` holds the
  // compensations still to run. See http://localhost:3000/labs/04-orchestration and `npm run hint -- 04`.
  throw new LabTodo('04', 'react in labs/04-orchestration/order-service/saga/react.ts');
}

/** The compensations of the steps up to `last` (included), in the order they must run: the latest first. */
export function compensationsFrom<Data>(definition: SagaDefinition<Data>, last: number): number[] {
  // TODO(lab 04): the indexes of the steps 0..last that have a compensation, in the order to run them.
  throw new LabTodo('04', 'compensationsFrom in labs/04-orchestration/order-service/saga/react.ts');
}
// #endregion react

function compensateOrEnd(steps: number[]): Next {
  return steps.length > 0 ? { kind: 'compensate', steps } : { kind: 'compensated' };
}
