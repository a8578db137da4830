import type { Pool, PoolClient } from '../../../platform/db.ts';

export type TicketState = 'CREATE_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

export async function findTicket(db: Pool | PoolClient, orderId: string, { forUpdate = false } = {}): Promise<{ orderId: string; total: number; state: TicketState } | undefined> {
  const { rows } = await db.query<{ order_id: string; total: number; state: TicketState }>(
    `SELECT order_id, total, state FROM tickets WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const row = rows[0];
  return row && { orderId: row.order_id, total: row.total, state: row.state };
}

/** Creates the ticket in CREATE_PENDING, or says what became of the one already there. */
export async function createTicket(tx: PoolClient, orderId: string, total: number): Promise<'created' | TicketState> {
  const { rowCount } = await tx.query("INSERT INTO tickets (order_id, total, state) VALUES ($1, $2, 'CREATE_PENDING') ON CONFLICT DO NOTHING", [orderId, total]);
  if (rowCount === 1) return 'created';
  return (await findTicket(tx, orderId))!.state;
}

/** The compensation: safe twice, and safe before the creation (it leaves a REJECTED tombstone). */
export async function rejectTicket(tx: PoolClient, orderId: string, total: number): Promise<void> {
  await tx.query(
    `INSERT INTO tickets (order_id, total, state) VALUES ($1, $2, 'REJECTED')
     ON CONFLICT (order_id) DO UPDATE SET state = 'REJECTED', updated_at = now() WHERE tickets.state = 'CREATE_PENDING'`,
    [orderId, total],
  );
}

/** CREATE_PENDING → APPROVED; approving again is harmless. Returns the state the ticket ends in, if any. */
export async function approveTicket(tx: PoolClient, orderId: string): Promise<TicketState | undefined> {
  await tx.query("UPDATE tickets SET state = 'APPROVED', updated_at = now() WHERE order_id = $1 AND state = 'CREATE_PENDING'", [orderId]);
  return (await findTicket(tx, orderId))?.state;
}

/** Lab 05: a pending or approved ticket is cancelled; cancelling again, or a ticket never made, changes nothing. */
export async function cancelTicket(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query("UPDATE tickets SET state = 'CANCELLED', updated_at = now() WHERE order_id = $1 AND state IN ('CREATE_PENDING', 'APPROVED')", [orderId]);
}
