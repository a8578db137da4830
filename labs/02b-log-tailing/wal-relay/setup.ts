import type { Pool } from '#shared/platform/db.ts';
import { requireLogicalWal } from '#shared/platform/wal-level.ts';

/** The publication the relay subscribes to: the outbox table, inserts only (a purge's DELETEs are not news). */
export const PUBLICATION = 'outbox_relay';

/**
 * The slot's name. Slots are cluster-wide while publications live in one database, so two order-service
 * databases on one server (two learners, two graders) need two slots: the name comes from the database's.
 * RELAY_SLOT overrides it. Slot names allow [a-z0-9_] only, at most 63 characters.
 */
export function slotNameFor(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.RELAY_SLOT) return env.RELAY_SLOT;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `outbox_relay_${database.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/**
 * Creates the publication and the slot unless they exist. Idempotent, and safe when two relays start at the
 * same moment: the loser of a race gets "already exists" (42710), which is what it wanted anyway.
 * The slot remembers, across crashes, the position up to which the relay acknowledged; from the moment it
 * is created, PostgreSQL keeps all WAL after that position for it.
 * A server without wal_level=logical cannot have a slot: that fails first, in one line naming the fix.
 */
export async function ensurePublicationAndSlot(pool: Pool, slot: string): Promise<void> {
  await requireLogicalWal(pool);
  const { rows } = await pool.query<{ publication: boolean; slot: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1) AS publication,
            EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $2) AS slot`,
    [PUBLICATION, slot],
  );
  if (!rows[0]?.publication) await ignoreExisting(pool.query(`CREATE PUBLICATION ${PUBLICATION} FOR TABLE outbox WITH (publish = 'insert')`));
  if (!rows[0]?.slot) await ignoreExisting(pool.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]));
}

/**
 * The slot's confirmed position in the form `acknowledge(lsn)` takes. The library reports `lsn + 1` as
 * flushed, so this is one byte before `confirmed_flush_lsn`: acknowledging it answers a keepalive without
 * moving the slot.
 */
export async function slotPosition(pool: Pool, slot: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ lsn: string | null }>('SELECT (confirmed_flush_lsn - 1)::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return rows[0]?.lsn ?? undefined;
}

async function ignoreExisting(query: Promise<unknown>): Promise<void> {
  await query.catch((error: { code?: string }) => {
    if (error.code !== '42710') throw error;
  });
}
