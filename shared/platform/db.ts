import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** One pool per service database. A service never opens another service's database: no shared tables. */
export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  // An idle client that loses its connection (the database restarted) emits 'error' on the pool; without a
  // listener Node would crash the whole service for a connection nobody was using.
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs `work` inside one transaction: COMMIT if it resolves, ROLLBACK if it throws. Everything that must be
 * atomic (an order and its outbox row, a handler's change and its dedup record) goes through here.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Applies the numbered SQL files of `dir` (`001_customers.sql`, `002_...`) that this database has not seen,
 * each in its own transaction, in file-name order. An advisory lock makes two instances of a service that
 * start together take turns instead of racing to create the same table.
 */
export async function migrate(pool: pg.Pool, dirs: string | string[]): Promise<string[]> {
  // Several folders may contribute (a service's own, and the platform's outbox tables); names must be unique.
  const paths = new Map<string, string>();
  for (const dir of [dirs].flat()) {
    for (const f of readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f))) paths.set(f, path.join(dir, f));
  }
  const files = [...paths.keys()].sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    const done = new Set(rows.map((r) => r.name));
    for (const file of files.filter((f) => !done.has(f))) {
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(paths.get(file)!, 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
        applied.push(file);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
  return applied;
}
