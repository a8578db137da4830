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
  // #region composed-availability
  // A chain of no services depends on nothing: 1 is the neutral element of the product.
  return availabilities.reduce((product, availability) => product * availability, 1);
  // #endregion composed-availability
}
