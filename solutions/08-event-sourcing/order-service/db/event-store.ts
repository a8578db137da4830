import { inTransaction, type Pool } from '#shared/platform/db.ts';

/** An event about to be appended: its id is chosen by the writer, so a retried append keeps it. */
export interface NewEvent {
  id: string;
  type: string;
  data: unknown;
}

/** An event as the store keeps it. Positions and transaction ids are bigints, kept as strings. */
export interface StoredEvent {
  position: string;
  streamId: string;
  version: number;
  id: string;
  type: string;
  data: unknown;
  txId: string;
  recordedAt: string;
}

/**
 * The append's expected version was not the stream's version: another writer appended first. Typed, so that
 * the command handler can tell it from any other failure and decide again on the fresh state.
 */
export class VersionConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is no longer at version ${expectedVersion}: another writer appended first`);
    this.name = 'VersionConflictError';
  }
}

/**
 * Appends `events` to a stream if, and only if, it is still at `expectedVersion` (0: the stream must not
 * exist yet). Resolves with the stream's new version; rejects with VersionConflictError when another writer
 * got there first. Of two writers that read the same version, exactly one wins.
 */
export async function appendToStream(pool: Pool, streamId: string, streamType: string, expectedVersion: number, events: readonly NewEvent[]): Promise<number> {
  if (events.length === 0) return expectedVersion;
  const newVersion = expectedVersion + events.length;
  return inTransaction(pool, async (tx) => {
    // #region version-check
    // The stream's row is the lock: a second writer's UPDATE waits for the first one's commit, then finds
    // the version moved and changes nothing. The first write of the transaction, so that a later version of
    // a stream always belongs to a later transaction (the publisher's order relies on it).
    const moved =
      expectedVersion === 0
        ? await tx.query('INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3) ON CONFLICT (stream_id) DO NOTHING', [streamId, streamType, newVersion])
        : await tx.query('UPDATE streams SET version = $3 WHERE stream_id = $1 AND version = $2', [streamId, expectedVersion, newVersion]);
    if (moved.rowCount !== 1) throw new VersionConflictError(streamId, expectedVersion);
    // #endregion version-check
    for (const [i, event] of events.entries()) {
      await tx.query('INSERT INTO events (stream_id, version, event_id, type, data) VALUES ($1, $2, $3, $4, $5)', [streamId, expectedVersion + i + 1, event.id, event.type, JSON.stringify(event.data)]);
    }
    return newVersion;
  });
}

/** Every event of a stream, in version order, and the stream's version (0 when it has none). */
export async function readStream(pool: Pool, streamId: string): Promise<{ version: number; events: StoredEvent[] }> {
  const { rows } = await pool.query<StoredEvent>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`, [streamId]);
  return { version: rows.at(-1)?.version ?? 0, events: rows };
}

/** The columns of a StoredEvent, for every query that reads events. */
export const EVENT_COLUMNS = `position::text AS position, stream_id AS "streamId", version, event_id AS id, type, data,
  tx_id::text AS "txId", recorded_at::text AS "recordedAt"`;
