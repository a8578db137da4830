/**
 * Countermeasure "by value": how much isolation an order gets depends on what it risks. A small order takes
 * the plain Create Order saga; a large one ends CONFIRMATION_PENDING, still held by the semantic lock, until
 * someone confirms it (POST /orders/:id/confirm).
 */
export type SagaPath = 'plain' | 'confirm-first';

/** In cents: orders above 500.00 wait for a confirmation; an order of exactly 500.00 does not. */
export const HIGH_VALUE_THRESHOLD = 50_000;

// #region by-value
/** The path an order of `total` cents takes. Pure: tested without a database. */
export function pathFor(total: number): SagaPath {
  return total > HIGH_VALUE_THRESHOLD ? 'confirm-first' : 'plain';
}
// #endregion by-value
