import type pg from 'pg';
import { EVENT_COLUMNS, type StoredEvent } from './event-store.ts';

/** Anything that runs a query: a pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Where a reader of the whole store stopped: the (transaction id, position) of the last event it handled. */
export interface Checkpoint {
  txId: string;
  position: string;
}

export const START: Checkpoint = { txId: '0', position: '0' };

/**
 * The next events of the whole store after `after`, at most `limit`, never skipping one. Called again with
 * the checkpoint of the last event it returned, it returns the ones after it, and no event it has not
 * returned yet may ever appear before that checkpoint.
 */
export async function readCommitted(db: Queryable, after: Checkpoint, limit: number): Promise<StoredEvent[]> {
  // #region gap-free-read
  // Positions are taken at insert and become visible at commit, so they appear out of order: a reader that
  // went past position 7 while position 6's transaction was still open would never come back for 6.
  // Read only rows whose transaction is older than every transaction still running (below the snapshot's
  // xmin): nothing can ever appear below that line again. Walk them in (tx_id, position) order, the order
  // the checkpoint compares in, so a transaction that commits later cannot land behind the checkpoint.
  const { rows } = await db.query<StoredEvent>(
    `SELECT ${EVENT_COLUMNS}
       FROM events
      WHERE (tx_id, position) > ($1::xid8, $2::bigint)
        AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY tx_id, position
      LIMIT $3`,
    [after.txId, after.position, limit],
  );
  return rows;
  // #endregion gap-free-read
}

/** The checkpoint to save once `events` (as readCommitted returned them) are handled. */
export function checkpointOf(events: readonly StoredEvent[], previous: Checkpoint): Checkpoint {
  const last = events.at(-1);
  return last ? { txId: last.txId, position: last.position } : previous;
}

export async function loadCheckpoint(db: Queryable, name: string, forUpdate = false): Promise<Checkpoint> {
  await db.query('INSERT INTO checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
  const { rows } = await db.query<Checkpoint>(`SELECT tx_id::text AS "txId", position::text AS position FROM checkpoints WHERE name = $1${forUpdate ? ' FOR UPDATE' : ''}`, [name]);
  return rows[0]!;
}

export async function saveCheckpoint(db: Queryable, name: string, checkpoint: Checkpoint): Promise<void> {
  await db.query('UPDATE checkpoints SET tx_id = $2::xid8, position = $3 WHERE name = $1', [name, checkpoint.txId, checkpoint.position]);
}
