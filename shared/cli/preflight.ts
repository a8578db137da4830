import pg from 'pg';
import { LOOPBACK_POSTGRES_URL } from '../harness/services.ts';
import { walLevelProblem } from '../platform/wal-level.ts';
import type { CouldNotRun } from './could-not-run.ts';
import type { Lab } from './manifest.ts';

/** What the checks ask of the machine; a test passes its own answers, everything else the real ones. */
export interface PreflightProbes {
  /** What `SHOW wal_level` answers, or undefined when PostgreSQL cannot be asked (the grader's setup says why). */
  walLevel(): Promise<string | undefined>;
}

/**
 * Checks what a lab needs beyond PostgreSQL and RabbitMQ answering (its manifest's `needs`) before its grader
 * starts, so a missing setting is one sentence with its fix at once, not every check failing on the same
 * PostgreSQL error minutes later. Returns what is missing and its fix, or undefined when the lab can be graded.
 */
export async function preflight(lab: Lab, probes: PreflightProbes = realPreflightProbes): Promise<CouldNotRun | undefined> {
  for (const need of lab.needs) {
    if (need === 'wal_level=logical') {
      const level = await probes.walLevel();
      const problem = level === undefined ? undefined : walLevelProblem(level);
      if (problem) return problem;
    }
  }
  return undefined;
}

export const realPreflightProbes: PreflightProbes = {
  async walLevel() {
    // Without DATABASE_URL and with nothing on loopback, the grader's global setup starts a container with
    // wal_level=logical (or says PostgreSQL is missing): there is nothing to ask here.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
      return rows[0]?.wal_level;
    } catch {
      return undefined;
    } finally {
      await client.end().catch(() => {});
    }
  },
};
