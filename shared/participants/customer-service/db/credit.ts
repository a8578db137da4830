import type { Pool, PoolClient } from '../../../platform/db.ts';
import { currentCredit, type CreditAccess, type SeenCredit } from './credit-access.ts';

export async function findCustomer(pool: Pool, id: string) {
  const { rows } = await pool.query<{ id: string; name: string; credit_limit: number; credit_reserved: number }>(
    'SELECT id, name, credit_limit, credit_reserved FROM customers WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, creditLimit: row.credit_limit, creditReserved: row.credit_reserved };
}

export type Reservation =
  | { kind: 'reserved' }
  | { kind: 'limit-exceeded'; limit: number; available: number }
  | { kind: 'customer-not-found' }
  | { kind: 'released-already' };

/**
 * Reserves the order's credit once: asked again for the same order, it answers what it did the first time.
 * `credit` says how the customer's credit is read and written (credit-access.ts).
 */
export async function reserveCredit(tx: PoolClient, r: { orderId: string; customerId: string; amount: number }, credit: CreditAccess): Promise<Reservation> {
  const seen = await credit.read(tx, r);
  if (!seen) return { kind: 'customer-not-found' };
  const { rows: existing } = await tx.query<{ state: string }>('SELECT state FROM credit_reservations WHERE order_id = $1', [r.orderId]);
  if (existing[0]) return existing[0].state === 'RESERVED' ? { kind: 'reserved' } : { kind: 'released-already' };
  if ((await credit.write(tx, { customerId: r.customerId, operation: 'reserve', amount: r.amount, seen })) === 'limit-exceeded') {
    const now = (await currentCredit(tx, r.customerId)) ?? seen;
    return { kind: 'limit-exceeded', limit: now.creditLimit, available: now.creditLimit - now.creditReserved };
  }
  await tx.query("INSERT INTO credit_reservations (order_id, customer_id, amount, state) VALUES ($1, $2, $3, 'RESERVED')", [r.orderId, r.customerId, r.amount]);
  return { kind: 'reserved' };
}

/** The customer's credit, read as `credit` reads it; the customer of a reservation always exists. */
async function seenFor(tx: PoolClient, credit: CreditAccess, orderId: string, customerId: string): Promise<SeenCredit> {
  const seen = await credit.read(tx, { orderId, customerId });
  if (!seen) throw new Error(`customer ${customerId} of the reservation for order ${orderId} does not exist`);
  return seen;
}

/**
 * Releases the order's reservation if it holds one. A compensation must be safe to run twice and safe to run
 * for a step that never happened (the step timed out before it was done): with no reservation, it leaves a
 * RELEASED tombstone so that a reservation arriving late is refused instead of holding credit forever.
 */
export async function releaseCredit(tx: PoolClient, r: { orderId: string; customerId: string; amount: number }, credit: CreditAccess): Promise<void> {
  const { rows } = await tx.query<{ state: string; amount: number; customer_id: string }>('SELECT state, amount, customer_id FROM credit_reservations WHERE order_id = $1 FOR UPDATE', [r.orderId]);
  const reservation = rows[0];
  if (!reservation) {
    await tx.query("INSERT INTO credit_reservations (order_id, customer_id, amount, state) VALUES ($1, $2, 0, 'RELEASED')", [r.orderId, r.customerId]);
    return;
  }
  if (reservation.state === 'RELEASED') return;
  await tx.query("UPDATE credit_reservations SET state = 'RELEASED', updated_at = now() WHERE order_id = $1", [r.orderId]);
  const seen = await seenFor(tx, credit, r.orderId, reservation.customer_id);
  await credit.write(tx, { customerId: reservation.customer_id, operation: 'release', amount: reservation.amount, seen });
}

/**
 * Undoes a release (lab 05): the reservation holds its credit again. A compensation must not fail, so this one
 * does not check the limit: if the freed credit was spent meanwhile, the customer ends up over it. That is
 * the dirty read lab 05 reproduces, and the reason its Cancel Order saga releases credit only after its pivot.
 */
export async function reinstateCredit(tx: PoolClient, orderId: string, credit: CreditAccess): Promise<void> {
  const { rows } = await tx.query<{ state: string; amount: number; customer_id: string }>('SELECT state, amount, customer_id FROM credit_reservations WHERE order_id = $1 FOR UPDATE', [orderId]);
  const reservation = rows[0];
  // Nothing released (or only a tombstone, which never held credit): nothing to give back.
  if (!reservation || reservation.state !== 'RELEASED' || reservation.amount === 0) return;
  await tx.query("UPDATE credit_reservations SET state = 'RESERVED', updated_at = now() WHERE order_id = $1", [orderId]);
  const seen = await seenFor(tx, credit, orderId, reservation.customer_id);
  await credit.write(tx, { customerId: reservation.customer_id, operation: 'reinstate', amount: reservation.amount, seen });
}
