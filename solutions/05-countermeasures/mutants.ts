import { defineMutants } from '#shared/harness/mutants.ts';

// Commutative updates (customer-service/db/credit-update.ts): the solution's write, and what replaces it.
const WITH_SEEN = { from: 'async (tx, { customerId, operation, amount }) =>', to: 'async (tx, { customerId, operation, amount, seen }) =>' };
const INCREMENT = `  const { rowCount } = await tx.query(
    'UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1 AND (NOT $3::boolean OR credit_reserved + $2 <= credit_limit)',
    [customerId, change, operation === 'reserve'],
  );
  return rowCount === 1 ? 'applied' : 'limit-exceeded';`;
const LIMIT_ON_THE_READ = "  if (operation === 'reserve' && seen.creditReserved + change > seen.creditLimit) return 'limit-exceeded';\n";

/**
 * One mutant per countermeasure removed. Those named in NAIVE together are the lab's naive variant: the
 * grader runs it to show that each anomaly really happens without its countermeasure (see grader/world.ts).
 */
export const NAIVE = ['no-semantic-lock', 'credit-released-early', 'no-version-file', 'by-value-ignored', 'absolute-credit-write', 'reread-ignored'];

export default defineMutants([
  {
    id: 'no-semantic-lock',
    note: 'applies every change to an order whatever its state: no _PENDING state locks it, so a cancel lands while Create Order is approving, and the approve overwrites it',
    file: 'order-service/domain/order-state.ts',
    replace: [{ from: '  if (state === FROM[change]) return', to: '  if (FROM[change]) return' }],
  },
  {
    id: 'credit-released-early',
    note: 'frees the credit in a compensatable step before the pivot, so another order spends it before the kitchen refuses and the compensation takes it back',
    file: 'order-service/saga/cancel-order-saga.ts',
    replace: [
      {
        from: "  pivot('cancel ticket',",
        to: "  compensatable('release credit', send('customer-service', 'ReleaseCredit', credit), send('customer-service', 'ReinstateCredit', credit)),\n  pivot('cancel ticket',",
      },
      { from: "  retriable('release credit', send('customer-service', 'ReleaseCredit', credit)),\n", to: '' },
    ],
  },
  {
    id: 'no-version-file',
    note: 'ignores the version file: an AuthorizePayment that arrives after its order’s CancelAuthorization holds the money anyway',
    file: 'accounting-service/domain/version-file.ts',
    replace: [{ from: "  if (incoming === 'authorize' && file.includes('cancel')) return 'nothing';\n", to: '' }],
  },
  {
    id: 'by-value-ignored',
    note: 'sends every order down the plain saga whatever its amount: a high-value order is approved with no confirmation, taking the same risk as a small one',
    file: 'order-service/domain/by-value.ts',
    replace: [{ from: "  return total > HIGH_VALUE_THRESHOLD ? 'confirm-first' : 'plain';", to: "  return 'plain';" }],
  },
  {
    id: 'cancel-waits-for-nobody',
    note: 'locks the order against the sagas’ own steps but lets a cancel start on an order still APPROVAL_PENDING: two sagas change one order at once',
    file: 'order-service/domain/order-state.ts',
    replace: [{ from: '  if (state === FROM[change]) return', to: "  if (state === FROM[change] || (change === 'begin-cancel' && state === 'APPROVAL_PENDING')) return" }],
  },
  {
    id: 'absolute-credit-write',
    note: 'reads the reserved credit, computes the new balance and writes it back whole (read-modify-write): a change another saga made since the read is lost',
    file: 'customer-service/db/credit-update.ts',
    replace: [WITH_SEEN, { from: INCREMENT, to: `${LIMIT_ON_THE_READ}  await tx.query('UPDATE customers SET credit_reserved = $2 WHERE id = $1', [customerId, seen.creditReserved + change]);\n  return 'applied';` }],
  },
  {
    id: 'limit-checked-on-the-read',
    note: 'writes increments, but checks the limit against the credit it read before, not in the statement that adds: two orders racing for the last credit are both approved, over the limit',
    file: 'customer-service/db/credit-update.ts',
    replace: [WITH_SEEN, { from: INCREMENT, to: `${LIMIT_ON_THE_READ}  await tx.query('UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1', [customerId, change]);\n  return 'applied';` }],
  },
  {
    id: 'reread-ignored',
    note: 'writes every revision without comparing the version it reread: a revision that landed while Revise Order was between its read and its write is overwritten (lost update)',
    file: 'order-service/domain/reread-value.ts',
    replace: [{ from: 'now.version !== read.version', to: 'false' }],
  },
  {
    id: 'reread-too-early',
    note: 'rereads the version in a step of its own before the write: a change that lands between the reread and the write is overwritten all the same',
    file: 'order-service/saga/revise-order-saga.ts',
    replace: [
      {
        from: "  pivot('revise order', local('order-service', 'ReviseOrder', rereadThenWrite)),",
        to: "  pivot('reread order', local('order-service', 'RereadOrder', rereadOrder)),\n  retriable('revise order', local('order-service', 'ReviseOrder', writeTotal)),",
      },
    ],
  },
]);
