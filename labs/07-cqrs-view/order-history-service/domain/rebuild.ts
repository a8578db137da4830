import { LabTodo } from '#shared/platform/todo.ts';
import type { LogName } from '../messaging/contracts.ts';

/** Per log, the offset of the last entry a generation of the view applied; a log it read nothing from is absent. */
export type Offsets = Partial<Record<LogName, number>>;

// #region rebuild
/**
 * Where a generation of the view (re)starts reading a log. A new generation has applied nothing and must
 * replay the whole history, from the log's first entry; a restarted one goes on after the last entry it
 * applied (its offsets commit with its documents, so nothing is skipped or applied twice).
 */
export function resumeFrom(lastApplied: number | undefined): 'first' | number {
  // TODO(lab 07): where a generation starts reading, from what it applied so far (undefined: nothing yet).
  // See http://localhost:3000/labs/07-cqrs-view and `npm run hint -- 07`.
  throw new LabTodo('07', 'resumeFrom in labs/07-cqrs-view/order-history-service/domain/rebuild.ts');
}

/**
 * Whether a rebuilt generation may replace the live one: only once it has applied, in every log, at least
 * what the live one has. Before that it lacks events the live view already shows, and switching would make
 * answers go back in time.
 */
export function caughtUp(logs: readonly LogName[], rebuilt: Offsets, live: Offsets): boolean {
  // TODO(lab 07): may the rebuilt generation replace the live one now? A log absent from the offsets has had
  // nothing applied from it.
  throw new LabTodo('07', 'caughtUp in labs/07-cqrs-view/order-history-service/domain/rebuild.ts');
}
// #endregion rebuild
