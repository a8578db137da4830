import { inTransaction, type Pool } from '#shared/platform/db.ts';
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

export async function findCustomer(pool: Pool, id: string): Promise<Customer | undefined> {
  const { rows } = await pool.query<{ id: string; name: string; credit_limit: number; reserved: string }>(
    `SELECT c.id, c.name, c.credit_limit, COALESCE(SUM(r.amount), 0) AS reserved
       FROM customers c LEFT JOIN credit_reservations r ON r.customer_id = c.id
      WHERE c.id = $1
      GROUP BY c.id`,
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, creditLimit: row.credit_limit, creditReserved: Number(row.reserved) };
}

export type ReservationOutcome = ReservationDecision | { kind: 'customer-not-found' };

/**
 * Reserves `amount` for `orderId`. The customer row is locked (FOR UPDATE) while we add up what is already
 * reserved, so two concurrent reservations cannot both see the same free credit and together exceed the limit.
 */
export async function reserveCredit(pool: Pool, customerId: string, orderId: string, amount: number): Promise<ReservationOutcome> {
  return inTransaction(pool, async (tx) => {
    const customer = await tx.query<{ credit_limit: number }>('SELECT credit_limit FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
    const creditLimit = customer.rows[0]?.credit_limit;
    if (creditLimit === undefined) return { kind: 'customer-not-found' };
    // A retried request for the same order must not reserve twice.
    const existing = await tx.query('SELECT 1 FROM credit_reservations WHERE order_id = $1', [orderId]);
    if (existing.rowCount) return { kind: 'reserve' };
    const reserved = await tx.query<{ total: string }>('SELECT COALESCE(SUM(amount), 0) AS total FROM credit_reservations WHERE customer_id = $1', [customerId]);
    const decision = decideReservation({ creditLimit, reserved: Number(reserved.rows[0]!.total) }, amount);
    if (decision.kind === 'reserve') {
      await tx.query('INSERT INTO credit_reservations (order_id, customer_id, amount) VALUES ($1, $2, $3)', [orderId, customerId, amount]);
    }
    return decision;
  });
}
