import pg from 'pg';
import { eventually } from './eventually.ts';

/**
 * Starts `calls` while the grader holds one row locked (`lockSql` selects it FOR UPDATE), and releases the
 * lock only once every call is stuck behind it or already answered. Requests that read the row before they
 * write it have then all read it before any of them wrote: the race of concurrent requests, forced instead
 * of hoped for. The database must be the test's alone (a namespace's), so that any session waiting for a
 * lock in it is one of the calls.
 */
export async function callsBehindLockedRow<T>(databaseUrl: string, lockSql: string, params: unknown[], calls: Array<() => Promise<T>>): Promise<T[]> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  // A second connection to watch from: inside the holder's transaction, pg_stat_activity would answer from
  // the snapshot of its first read, and never see the calls arrive.
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([holder.connect(), watcher.connect()]);
  try {
    await holder.query('BEGIN');
    const { rowCount } = await holder.query(lockSql, params);
    if (rowCount !== 1) throw new Error(`the grader meant to lock one row and locked ${rowCount ?? 0}: ${lockSql}`);
    let answered = 0;
    const running = calls.map((call) => call().finally(() => (answered += 1)));
    const waiting = async () => {
      const { rows } = await watcher.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0',
      );
      return rows[0]!.n;
    };
    await eventually(async () => answered + (await waiting()) >= calls.length, { timeoutMs: 10_000, description: `all ${calls.length} calls to reach the row the grader holds locked` });
    await holder.query('ROLLBACK');
    return await Promise.all(running);
  } finally {
    await Promise.all([holder.end(), watcher.end()]);
  }
}
