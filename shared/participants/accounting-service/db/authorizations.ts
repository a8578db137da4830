import type { Pool, PoolClient } from '../../../platform/db.ts';
import type { PaymentOperation } from '../domain/payment-decision.ts';

export interface Authorization {
  orderId: string;
  customerId: string;
  total: number;
  state: 'AUTHORIZED' | 'DECLINED' | 'CANCELLED';
  reason?: string;
}

export async function findAuthorization(db: Pool | PoolClient, orderId: string): Promise<Authorization | undefined> {
  const { rows } = await db.query<{ order_id: string; customer_id: string; total: number; state: Authorization['state']; reason: string | null }>(
    'SELECT order_id, customer_id, total, state, reason FROM authorizations WHERE order_id = $1',
    [orderId],
  );
  const row = rows[0];
  return row && { orderId: row.order_id, customerId: row.customer_id, total: row.total, state: row.state, ...(row.reason ? { reason: row.reason } : {}) };
}

/** Records the decision once per order and returns the one recorded (the first, if asked again). */
export async function authorize(tx: PoolClient, a: Authorization): Promise<Authorization> {
  await tx.query('INSERT INTO authorizations (order_id, customer_id, total, state, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
    a.orderId,
    a.customerId,
    a.total,
    a.state,
    a.reason ?? null,
  ]);
  return (await findAuthorization(tx, a.orderId))!;
}

/** Releases the money held for the order; nothing to do if none is held. */
export async function cancelAuthorization(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query("UPDATE authorizations SET state = 'CANCELLED' WHERE order_id = $1 AND state = 'AUTHORIZED'", [orderId]);
}

/**
 * Appends an operation to the order's version file and returns the operations received before it, oldest
 * first. A lock on the order id makes two commands for one order take turns reading and writing the file.
 */
export async function recordOperation(tx: PoolClient, orderId: string, operation: PaymentOperation): Promise<PaymentOperation[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
  const { rows } = await tx.query<{ operation: PaymentOperation }>('SELECT operation FROM payment_operations WHERE order_id = $1 ORDER BY id', [orderId]);
  await tx.query('INSERT INTO payment_operations (order_id, operation) VALUES ($1, $2)', [orderId, operation]);
  return rows.map((r) => r.operation);
}
