import type { Pool, PoolClient } from '../../../platform/db.ts';

export interface Authorization {
  orderId: string;
  customerId: string;
  total: number;
  state: 'AUTHORIZED' | 'DECLINED';
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
