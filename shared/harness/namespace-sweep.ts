import { parseNamespaceName } from './namespace-id.ts';
import { removeNamespace, withAdminClient } from './namespace.ts';
import { rabbitAdmin } from './rabbit-admin.ts';
import { serviceUrls } from './services.ts';

export interface SweepOptions {
  /** A namespace younger than this is never swept (default one hour). */
  olderThanMs?: number;
  now?: Date;
  env?: NodeJS.ProcessEnv;
}

export interface SweepResult {
  /** Namespaces removed. */
  removed: string[];
  /** Old enough, but something is still connected to them: a live run (a long demo), left alone. */
  inUse: string[];
}

/**
 * A test that crashed (or was stopped with Ctrl-C) never reached its `drop()`, and since nothing of a namespace
 * expires any more, its databases, queues and exchanges would stay forever. The global setup of each test run
 * sweeps them.
 *
 * Another run may be going on at the same time on the same machine, so a namespace is removed only when both
 * are true: its id says it was made more than an hour ago (longer than any test file runs), and nothing is
 * connected to it (no PostgreSQL session on its databases, no consumer on its queues, no RabbitMQ connection
 * named after it), which keeps a demo that has been running all afternoon safe. Names without a stamp in the
 * id (an older format, or not ours) are never touched.
 */
export async function sweepStaleNamespaces(options: SweepOptions = {}): Promise<SweepResult> {
  const { olderThanMs = 60 * 60_000, now = new Date(), env = process.env } = options;
  const [databases, rabbit] = await Promise.all([
    withAdminClient(serviceUrls(env).databaseUrl, async (c) => {
      const { rows } = await c.query<{ datname: string; sessions: number }>(
        `SELECT d.datname, count(a.pid)::int AS sessions
           FROM pg_database d LEFT JOIN pg_stat_activity a ON a.datname = d.datname
          WHERE starts_with(d.datname, 'kit_')
          GROUP BY d.datname`,
      );
      return rows;
    }),
    rabbitAdmin(env).survey('kit_'),
  ]);

  const stale = new Set<string>();
  const live = new Set<string>();
  const consider = (name: string, inUse: boolean) => {
    const parsed = parseNamespaceName(name);
    if (!parsed) return;
    if (inUse) live.add(parsed.id);
    if (now.getTime() - parsed.createdAt.getTime() > olderThanMs) stale.add(parsed.id);
  };
  for (const db of databases) consider(db.datname, db.sessions > 0);
  for (const queue of rabbit.queues) consider(queue.name, queue.consumers > 0);
  for (const exchange of rabbit.exchanges) consider(exchange, false);
  // A Broker names its connection `<service> (<prefix>)`, the message tap `message tap (<prefix>)`.
  for (const connection of rabbit.connections) {
    const prefix = /\((kit_[^)]*)\)$/.exec(connection)?.[1];
    if (prefix) consider(prefix, true);
  }

  const result: SweepResult = { removed: [], inUse: [] };
  for (const id of [...stale].sort()) {
    if (live.has(id)) {
      result.inUse.push(id);
      continue;
    }
    await removeNamespace(id, env);
    result.removed.push(id);
  }
  return result;
}
