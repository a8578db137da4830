import type { Pool, PoolClient } from '#shared/platform/db.ts';

export interface Customer {
  id: string;
  name: string;
  creditReserved: number;
  ordersSeen: number;
}

export async function insertCustomer(pool: Pool, customer: { id: string; name: string }): Promise<void> {
  await pool.query('INSERT INTO customers (id, name) VALUES ($1, $2)', [customer.id, customer.name]);
}

export async function findCustomer(pool: Pool, id: string): Promise<Customer | undefined> {
  // node-postgres reads a bigint as a string (it may not fit a JS number); sums of cents stay far below 2^53.
  const { rows } = await pool.query<{ id: string; name: string; credit_reserved: string; orders_seen: number }>(
    'SELECT id, name, credit_reserved, orders_seen FROM customers WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { id: row.id, name: row.name, creditReserved: Number(row.credit_reserved), ordersSeen: row.orders_seen };
}

/**
 * Records that a message took effect. Returns false when it already had: the caller then changes nothing.
 * ON CONFLICT DO NOTHING (not a SELECT first) so that two copies handled at once cannot both pass the check.
 */
export async function recordProcessed(tx: PoolClient, messageId: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING', [messageId]);
  return rowCount === 1;
}

// Additions and subtractions commute: the result does not depend on the order the events arrive in.
export async function reserveCredit(tx: PoolClient, customerId: string, amount: number): Promise<void> {
  await tx.query('UPDATE customers SET credit_reserved = credit_reserved + $2, orders_seen = orders_seen + 1 WHERE id = $1', [customerId, amount]);
}

export async function releaseCredit(tx: PoolClient, customerId: string, amount: number): Promise<void> {
  await tx.query('UPDATE customers SET credit_reserved = credit_reserved - $2 WHERE id = $1', [customerId, amount]);
}

/** Forgets processed messages older than `retentionMs`: far longer than any redelivery can take. */
export async function purgeProcessed(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM processed_messages WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)', [retentionMs]);
  return rowCount ?? 0;
}
