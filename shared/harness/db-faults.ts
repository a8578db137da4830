import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { eventually } from './eventually.ts';

/** Runs statements against a service's database: a `World` is one. */
export interface Databases {
  query(database: string, sql: string): Promise<unknown>;
}

export interface CommitFault {
  /** How many commits it failed so far. */
  fired(): Promise<number>;
  /** Drops the trigger: the table behaves normally again. */
  remove(): Promise<void>;
}

export interface CommitFaultOptions {
  /** The table whose rows trip it (`outbox`, `orders`). */
  table: string;
  /** A SQL condition on `NEW` that picks the rows of the test (`NEW.customer_id = '…'`); build literals with `sqlLiteral`. */
  when: string;
  /** How many commits it fails before letting them through (default: every one). */
  times?: number;
  /** The write that trips it (default INSERT: a relay marking a row published is not the write under test). */
  on?: 'INSERT' | 'UPDATE';
}

/**
 * A fault at a named point inside a service's transaction, injected from the database side so that the
 * service's code needs no hook: a deferred constraint trigger on `table` fails the COMMIT of any transaction
 * that inserted (or updated, with `on`) a row matching `when`, the way a crash or a lost connection at that moment would leave it.
 * One transaction that holds both writes rolls back whole; two separate writes leave the other one behind.
 * The count lives in a sequence, which a rollback does not undo: `times: 1` fails the first commit only.
 */
export async function failCommitsOf(db: Databases, database: string, { table, when, times, on = 'INSERT' }: CommitFaultOptions): Promise<CommitFault> {
  const name = `kit_fault_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const limit = times === undefined ? 2_000_000_000 : Math.trunc(times);
  // Nested IFs: PostgreSQL does not promise to evaluate AND left to right, and nextval must count only the
  // rows the fault is meant for.
  await db.query(
    database,
    `CREATE SEQUENCE ${name};
     CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF (${when}) THEN
         IF nextval('${name}') <= ${limit} THEN
           RAISE EXCEPTION 'fault injected by the grader: the commit of a write to ${table} failed';
         END IF;
       END IF;
       RETURN NULL;
     END $$;
     CREATE CONSTRAINT TRIGGER ${name} AFTER ${on} ON ${table}
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${name}();`,
  );
  return {
    async fired() {
      const rows = (await db.query(database, `SELECT CASE WHEN is_called THEN least(last_value, ${limit}) ELSE 0 END::int AS n FROM ${name}`)) as Array<{ n: number }>;
      return rows[0]?.n ?? 0;
    },
    async remove() {
      await db.query(database, `DROP TRIGGER IF EXISTS ${name} ON ${table}; DROP FUNCTION IF EXISTS ${name}(); DROP SEQUENCE IF EXISTS ${name};`);
    },
  };
}

/** A SQL string literal, for the `when` of a fault (DDL takes no parameters). */
export function sqlLiteral(value: string): string {
  return pg.Client.prototype.escapeLiteral(value);
}

export interface HeldWrites {
  /** Resolves once a transaction is stuck at the held write (it ran every statement before it). */
  reached(timeoutMs?: number): Promise<void>;
  /** Lets held writes go on; a transaction whose client died in the meantime then rolls back. */
  release(): Promise<void>;
  /** Releases, then drops the trigger. */
  remove(): Promise<void>;
}

/**
 * A pause at a named point inside a service's transaction, set from the database side: a trigger makes any
 * write to `table` matching `when` wait for an advisory lock the grader holds. The grader can then act while
 * the service is stopped exactly there (SIGKILL it: its open transaction never commits) and release after.
 * The crash "after the credit change, before the answer" happens every run, not when a random kill lands.
 */
export async function holdWritesOf(
  db: Databases & { addresses: { databaseUrl(database: string): string } },
  database: string,
  { table, when, on = 'INSERT' }: Omit<CommitFaultOptions, 'times'>,
): Promise<HeldWrites> {
  const name = `kit_hold_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const key = Math.floor(Math.random() * 2 ** 31);
  const holder = new pg.Client({ connectionString: db.addresses.databaseUrl(database) });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1::int, 0)', [key]);
  await db.query(
    database,
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF (${when}) THEN PERFORM pg_advisory_xact_lock(${key}, 0); END IF;
       RETURN NEW;
     END $$;
     CREATE TRIGGER ${name} BEFORE ${on} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`,
  );
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await holder.query('SELECT pg_advisory_unlock($1::int, 0)', [key]).catch(() => {});
    await holder.end().catch(() => {});
  };
  return {
    async reached(timeoutMs = 10_000) {
      const waiting = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = ${key} AND objid = 0`;
      await eventually(async () => ((await db.query(database, waiting)) as Array<{ n: number }>)[0]!.n > 0, {
        timeoutMs,
        description: `a write to ${table} to reach the point the grader holds`,
      });
    },
    release,
    async remove() {
      await release();
      await db.query(database, `DROP TRIGGER IF EXISTS ${name} ON ${table}; DROP FUNCTION IF EXISTS ${name}();`);
    },
  };
}
