import type { Pool, PoolClient } from '#shared/platform/db.ts';
import type { CustomerView, OrderView, ViewSlice } from '../domain/documents.ts';
import type { Offsets } from '../domain/rebuild.ts';
import type { LogName } from '../messaging/contracts.ts';

type Db = Pool | PoolClient;

export interface ViewState {
  active: number;
  rebuilding: number | null;
}

export async function readState(db: Db, { lock = '' }: { lock?: '' | 'FOR SHARE' | 'FOR UPDATE' } = {}): Promise<ViewState> {
  const { rows } = await db.query<{ active_generation: number; rebuilding_generation: number | null }>(`SELECT active_generation, rebuilding_generation FROM view_state ${lock}`);
  return { active: rows[0]!.active_generation, rebuilding: rows[0]!.rebuilding_generation };
}

export async function readOffsets(db: Db, generation: number): Promise<Offsets> {
  const { rows } = await db.query<{ log: LogName; last_offset: string }>('SELECT log, last_offset FROM view_offsets WHERE generation = $1', [generation]);
  return Object.fromEntries(rows.map((r) => [r.log, Number(r.last_offset)]));
}

export async function saveOffset(tx: PoolClient, generation: number, log: LogName, lastOffset: number): Promise<void> {
  await tx.query('INSERT INTO view_offsets (generation, log, last_offset) VALUES ($1, $2, $3) ON CONFLICT (generation, log) DO UPDATE SET last_offset = EXCLUDED.last_offset', [generation, log, lastOffset]);
}

export async function rejectEntry(tx: PoolClient, generation: number, log: LogName, entry: { offset: number; id?: string | undefined; type?: string | undefined }, error: string): Promise<void> {
  await tx.query('INSERT INTO rejected_entries (generation, log, log_offset, message_id, type, error) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [generation, log, entry.offset, entry.id ?? null, entry.type ?? null, error]);
}

interface CustomerRow {
  customer_id: string;
  name: string | null;
  credit_limit: number | null;
  version: number;
  order_count: number;
  ordered_total: string;
}
interface OrderRow {
  order_id: string;
  customer_id: string | null;
  total: number | null;
  description: string | null;
  state: OrderView['state'];
  rejection_reason: string | null;
  ticket: OrderView['ticket'];
  payment: OrderView['payment'];
  order_version: number;
  ticket_version: number;
  payment_version: number;
}

const toCustomer = (r: CustomerRow): CustomerView => ({ customerId: r.customer_id, name: r.name, creditLimit: r.credit_limit, version: r.version, orderCount: r.order_count, orderedTotal: Number(r.ordered_total) });
const toOrder = (r: OrderRow): OrderView => ({
  orderId: r.order_id,
  customerId: r.customer_id,
  total: r.total,
  description: r.description,
  state: r.state,
  rejectionReason: r.rejection_reason,
  ticket: r.ticket,
  payment: r.payment,
  versions: { order: r.order_version, ticket: r.ticket_version, payment: r.payment_version },
});

export async function findCustomer(db: Db, generation: number, customerId: string): Promise<CustomerView | undefined> {
  const { rows } = await db.query<CustomerRow>('SELECT * FROM customer_view WHERE generation = $1 AND customer_id = $2', [generation, customerId]);
  return rows[0] && toCustomer(rows[0]);
}

export async function findOrder(db: Db, generation: number, orderId: string): Promise<OrderView | undefined> {
  const { rows } = await db.query<OrderRow>('SELECT * FROM order_view WHERE generation = $1 AND order_id = $2', [generation, orderId]);
  return rows[0] && toOrder(rows[0]);
}

export async function ordersOf(db: Db, generation: number, customerId: string): Promise<OrderView[]> {
  const { rows } = await db.query<OrderRow>('SELECT * FROM order_view WHERE generation = $1 AND customer_id = $2 ORDER BY order_id', [generation, customerId]);
  return rows.map(toOrder);
}

/** Orders whose description or customer's name matches the words of `text` (PostgreSQL full-text search). */
export async function searchOrders(db: Db, generation: number, text: string, limit: number): Promise<Array<OrderView & { customerName: string | null }>> {
  const { rows } = await db.query<OrderRow & { customer_name: string | null }>(
    `SELECT o.*, c.name AS customer_name
       FROM order_view o LEFT JOIN customer_view c ON c.generation = o.generation AND c.customer_id = o.customer_id
      WHERE o.generation = $1
        AND (to_tsvector('simple', coalesce(o.description, '')) @@ plainto_tsquery('simple', $2)
             OR to_tsvector('simple', coalesce(c.name, '')) @@ plainto_tsquery('simple', $2))
      ORDER BY o.order_id LIMIT $3`,
    [generation, text, limit],
  );
  return rows.map((r) => ({ ...toOrder(r), customerName: r.customer_name }));
}

/** The documents an event touches, as `apply` expects them (absent when the view has none yet). */
export async function loadSlice(tx: PoolClient, generation: number, ids: { customerId?: string; orderId?: string }): Promise<ViewSlice> {
  const slice: ViewSlice = {};
  if (ids.customerId) {
    const customer = await findCustomer(tx, generation, ids.customerId);
    if (customer) slice.customer = customer;
  }
  if (ids.orderId) {
    const order = await findOrder(tx, generation, ids.orderId);
    if (order) slice.order = order;
  }
  return slice;
}

export async function saveSlice(tx: PoolClient, generation: number, slice: ViewSlice): Promise<void> {
  const c = slice.customer;
  if (c) {
    await tx.query(
      `INSERT INTO customer_view (generation, customer_id, name, credit_limit, version, order_count, ordered_total) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (generation, customer_id) DO UPDATE SET name = $3, credit_limit = $4, version = $5, order_count = $6, ordered_total = $7`,
      [generation, c.customerId, c.name, c.creditLimit, c.version, c.orderCount, c.orderedTotal],
    );
  }
  const o = slice.order;
  if (o) {
    await tx.query(
      `INSERT INTO order_view (generation, order_id, customer_id, total, description, state, rejection_reason, ticket, payment, order_version, ticket_version, payment_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (generation, order_id) DO UPDATE SET customer_id = $3, total = $4, description = $5, state = $6, rejection_reason = $7, ticket = $8, payment = $9,
         order_version = $10, ticket_version = $11, payment_version = $12`,
      [generation, o.orderId, o.customerId, o.total, o.description, o.state, o.rejectionReason, o.ticket, o.payment, o.versions.order, o.versions.ticket, o.versions.payment],
    );
  }
}

/** Drops a generation's documents and offsets (the one a switch retired). */
export async function dropGeneration(tx: PoolClient, generation: number): Promise<void> {
  for (const table of ['customer_view', 'order_view', 'view_offsets', 'rejected_entries']) await tx.query(`DELETE FROM ${table} WHERE generation = $1`, [generation]);
}
