import type { Pool, PoolClient } from '#shared/platform/db.ts';
import { decideReservation, type ReservationDecision } from '../domain/credit.ts';

export interface Customer {
  id: string;
  name: string;
  creditLimit: number;
  creditReserved: number;
}

export async function insertCustomer(pool: Pool, customer: { id: string; name: string; creditLimit: number }): Promise<void> {
  await pool.query('INSERT INTO customers (id, name, credit_limit) VALUES ($1, $2, $3)', [customer.id, customer.name, customer.creditLimit]);
}

export async function findCustomer(db: Pool | PoolClient, id: string): Promise<Customer | undefined> {
  const { rows } = await db.query<{ id: string; name: string; credit_limit: number; credit_reserved: number }>(
    'SELECT id, name, credit_limit, credit_reserved FROM customers WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, creditLimit: row.credit_limit, creditReserved: row.credit_reserved };
}

export type ReservationOutcome = ReservationDecision | { kind: 'customer-not-found' };

/** Reserves `amount` if the limit allows it, inside the handler's transaction. */
export async function reserveCredit(tx: PoolClient, customerId: string, amount: number): Promise<ReservationOutcome> {
  // #region reserve-credit
  // FOR UPDATE: the row stays locked until the transaction ends, so a concurrent reservation for the same
  // customer waits here and then sees this one's effect. Without it, two reservations could both read the
  // same free credit and together go over the limit.
  const { rows } = await tx.query<{ credit_limit: number; credit_reserved: number }>(
    'SELECT credit_limit, credit_reserved FROM customers WHERE id = $1 FOR UPDATE',
    [customerId],
  );
  const row = rows[0];
  if (!row) return { kind: 'customer-not-found' };
  const decision = decideReservation({ creditLimit: row.credit_limit, reserved: row.credit_reserved }, amount);
  if (decision.kind === 'reserve') await tx.query('UPDATE customers SET credit_reserved = credit_reserved + $2 WHERE id = $1', [customerId, amount]);
  return decision;
  // #endregion reserve-credit
}

/** Gives back credit an approved order held. */
export async function releaseCredit(tx: PoolClient, customerId: string, amount: number): Promise<void> {
  await tx.query('UPDATE customers SET credit_reserved = credit_reserved - $2 WHERE id = $1', [customerId, amount]);
}
