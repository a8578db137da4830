import { LabTodo } from '#shared/platform/todo.ts';

/**
 * The availability of a request that needs every service in a synchronous chain to answer.
 *
 * Each number is the fraction of time one service is up (0.995 = 99.5 %). The request succeeds only when
 * all of them are up at the same moment, so with independent failures the chances multiply: five services
 * at 99.5 % give about 97.5 %, less than any one of them. That is the runtime coupling of lab 01.
 */
export function composedAvailability(availabilities: readonly number[]): number {
  for (const availability of availabilities) {
    if (!(availability >= 0 && availability <= 1)) {
      throw new RangeError(`an availability is a fraction between 0 and 1, got ${availability}`);
    }
  }
  // TODO(lab 00): combine the availabilities of the chain into the availability of the whole request.
  // See http://localhost:3000/labs/00-setup and `npm run hint -- 00`.
  throw new LabTodo('00', 'composedAvailability in labs/00-setup/availability.ts');
}
