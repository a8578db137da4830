import type { Pool } from './db.ts';

/**
 * Lab 02b tails PostgreSQL's write-ahead log through logical replication, which only a server started with
 * wal_level=logical offers. Without it, creating the replication slot fails with an error object that names
 * neither the setting nor the fix; this names both.
 */
export function walLevelProblem(level: string): { reason: string; fix: string } | undefined {
  if (level === 'logical') return undefined;
  return {
    reason: `PostgreSQL runs with wal_level=${level}, but tailing the write-ahead log (lab 02b) needs wal_level=logical.`,
    fix: 'psql -U postgres -c "ALTER SYSTEM SET wal_level = logical" and restart PostgreSQL (docker compose up -d starts it with -c wal_level=logical already).',
  };
}

/** Throws the explanation above, on one line, when the server cannot do logical replication. */
export async function requireLogicalWal(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ wal_level: string }>('SHOW wal_level');
  const problem = walLevelProblem(rows[0]?.wal_level ?? 'unknown');
  if (problem) throw new Error(`${problem.reason} Fix: ${problem.fix}`);
}
