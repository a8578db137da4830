import type { PoolClient } from '../../../platform/db.ts';

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
 * Adds `delta` to the order's reservation, once per revision. An increase is checked against the customer's
 * limit; a decrease always succeeds (the Revise Order saga frees credit only after its pivot, where a step
 * must not fail). The change is an increment, so revisions of one order commute with each other and with
 * other orders' reservations. On an order whose credit was released meanwhile (it was cancelled) an increase
 * is refused, and a decrease changes nothing: the release already freed what the order held.
 */
export async function reviseCredit(tx: PoolClient, r: CreditRevision): Promise<RevisionOutcome> {
  // A revision of nothing is done at once: the saga asks for the increase and the decrease in two steps, and
  // one of them is always zero.
  if (r.delta === 0) return { kind: 'revised' };
  const { rows: done } = await tx.query<{ state: string }>('SELECT state FROM credit_revisions WHERE revision_id = $1', [r.revisionId]);
  if (done[0]) return done[0].state === 'APPLIED' ? { kind: 'revised' } : { kind: 'refused', reason: 'the revision was already undone (compensated)' };
  // The reservation, then the customer, locked in the order releaseCredit takes them: the two never deadlock.
  const { rows: reservations } = await tx.query<{ state: string }>('SELECT state FROM credit_reservations WHERE order_id = $1 FOR UPDATE', [r.orderId]);
  const held = reservations[0]?.state === 'RESERVED';
  const { rows: customers } = await tx.query<{ credit_limit: number; credit_reserved: number }>('SELECT credit_limit, credit_reserved FROM customers WHERE id = $1 FOR UPDATE', [r.customerId]);
  const customer = customers[0];
  if (!customer) return { kind: 'refused', reason: `customer ${r.customerId} does not exist` };
  if (!held && r.delta > 0) return { kind: 'refused', reason: `order ${r.orderId} holds no credit to revise (never reserved, or released)` };
  const available = customer.credit_limit - customer.credit_reserved;
  if (r.delta > available) return { kind: 'limit-exceeded', limit: customer.credit_limit, available };
  await tx.query("INSERT INTO credit_revisions (revision_id, order_id, delta, state) VALUES ($1, $2, $3, 'APPLIED')", [r.revisionId, r.orderId, r.delta]);
  if (held) await applyToReservation(tx, r.orderId, r.customerId, r.delta);
  return { kind: 'revised' };
}

/**
 * Takes a revision back (the compensation when Revise Order aborts). Safe to run twice, and for a revision
 * that never happened (its step timed out first): then it leaves an UNDONE tombstone, so that the revision,
 * arriving late, is refused instead of holding credit for good.
 */
export async function undoCreditRevision(tx: PoolClient, r: CreditRevision): Promise<void> {
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
  if (reservations[0]?.state === 'RESERVED') await applyToReservation(tx, r.orderId, r.customerId, -revision.delta);
}

async function applyToReservation(tx: PoolClient, orderId: string, customerId: string, delta: number): Promise<void> {
  await tx.query('UPDATE credit_reservations SET amount = amount + $2, updated_at = now() WHERE order_id = $1', [orderId, delta]);
  await tx.query('UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1', [customerId, delta]);
}
