import type { PoolClient } from '../../../platform/db.ts';
import { currentCredit, type CreditAccess, type CreditChange } from './credit-access.ts';

/** One revision of an order's reserved credit: `delta` cents more (or fewer, when negative). */
export interface CreditRevision {
  orderId: string;
  customerId: string;
  revisionId: string;
  delta: number;
}

export type RevisionOutcome =
  | { kind: 'revised' }
  | { kind: 'limit-exceeded'; limit: number; available: number }
  | { kind: 'refused'; reason: string };

/**
 * A change of the customer's credit by `delta`, written as the other credit changes are (`credit`, see
 * credit-access.ts): more credit is a reservation of the difference, checked against the limit; less is a
 * release of it. Revising is thus an increment too (commutative updates): revisions of one order commute
 * with each other and with other orders' reservations.
 */
function changeBy(customerId: string, delta: number, seen: CreditChange['seen'], compensation: boolean): CreditChange {
  if (delta < 0) return { customerId, operation: 'release', amount: -delta, seen };
  // Taking credit again to undo a decrease is a compensation, which must not fail: not checked, like a reinstatement.
  return { customerId, operation: compensation ? 'reinstate' : 'reserve', amount: delta, seen };
}

/**
 * Adds `delta` to the order's reservation, once per revision. An increase is checked against the customer's
 * limit; a decrease always succeeds (the Revise Order saga frees credit only after its pivot, where a step
 * must not fail). On an order whose credit was released meanwhile (it was cancelled) an increase is refused,
 * and a decrease changes nothing: the release already freed what the order held. `credit` says how the
 * customer's credit is read and written (credit-access.ts).
 */
export async function reviseCredit(tx: PoolClient, r: CreditRevision, credit: CreditAccess): Promise<RevisionOutcome> {
  // A revision of nothing is done at once: the saga asks for the increase and the decrease in two steps, and
  // one of them is always zero.
  if (r.delta === 0) return { kind: 'revised' };
  const { rows: done } = await tx.query<{ state: string }>('SELECT state FROM credit_revisions WHERE revision_id = $1', [r.revisionId]);
  if (done[0]) return done[0].state === 'APPLIED' ? { kind: 'revised' } : { kind: 'refused', reason: 'the revision was already undone (compensated)' };
  // The reservation, then the customer, in the order releaseCredit takes them: where reads lock, the two
  // never deadlock.
  const { rows: reservations } = await tx.query<{ state: string }>('SELECT state FROM credit_reservations WHERE order_id = $1 FOR UPDATE', [r.orderId]);
  const held = reservations[0]?.state === 'RESERVED';
  const seen = await credit.read(tx, r);
  if (!seen) return { kind: 'refused', reason: `customer ${r.customerId} does not exist` };
  if (!held && r.delta > 0) return { kind: 'refused', reason: `order ${r.orderId} holds no credit to revise (never reserved, or released)` };
  if (held) {
    if ((await credit.write(tx, changeBy(r.customerId, r.delta, seen, false))) === 'limit-exceeded') {
      const now = (await currentCredit(tx, r.customerId)) ?? seen;
      return { kind: 'limit-exceeded', limit: now.creditLimit, available: now.creditLimit - now.creditReserved };
    }
    await tx.query('UPDATE credit_reservations SET amount = amount + $2, updated_at = now() WHERE order_id = $1', [r.orderId, r.delta]);
  }
  await tx.query("INSERT INTO credit_revisions (revision_id, order_id, delta, state) VALUES ($1, $2, $3, 'APPLIED')", [r.revisionId, r.orderId, r.delta]);
  return { kind: 'revised' };
}

/**
 * Takes a revision back (the compensation when Revise Order aborts). Safe to run twice, and for a revision
 * that never happened (its step timed out first): then it leaves an UNDONE tombstone, so that the revision,
 * arriving late, is refused instead of holding credit for good.
 */
export async function undoCreditRevision(tx: PoolClient, r: CreditRevision, credit: CreditAccess): Promise<void> {
  const { rows } = await tx.query<{ state: string; delta: number }>('SELECT state, delta FROM credit_revisions WHERE revision_id = $1 FOR UPDATE', [r.revisionId]);
  const revision = rows[0];
  if (!revision) {
    await tx.query("INSERT INTO credit_revisions (revision_id, order_id, delta, state) VALUES ($1, $2, 0, 'UNDONE') ON CONFLICT (revision_id) DO NOTHING", [r.revisionId, r.orderId]);
    return;
  }
  if (revision.state === 'UNDONE') return;
  await tx.query("UPDATE credit_revisions SET state = 'UNDONE', updated_at = now() WHERE revision_id = $1", [r.revisionId]);
  const { rows: reservations } = await tx.query<{ state: string }>('SELECT state FROM credit_reservations WHERE order_id = $1 FOR UPDATE', [r.orderId]);
  // Released meanwhile: the release freed the revised amount, this revision included; nothing is left to take back.
  if (reservations[0]?.state !== 'RESERVED') return;
  const seen = await credit.read(tx, r);
  if (!seen) throw new Error(`customer ${r.customerId} of the revision ${r.revisionId} of order ${r.orderId} does not exist`);
  await credit.write(tx, changeBy(r.customerId, -revision.delta, seen, true));
  await tx.query('UPDATE credit_reservations SET amount = amount - $2, updated_at = now() WHERE order_id = $1', [r.orderId, revision.delta]);
}
