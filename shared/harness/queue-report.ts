import { rabbitAdmin, type QueueStats } from './rabbit-admin.ts';
import type { QueueDepth } from './world-broker.ts';

/**
 * Where messages were waiting when a check failed. A stalled check says only "still not true after N ms",
 * and services at info level may have said nothing but "listening": the queues of the world's namespace
 * (ready, unacknowledged, consumers) tell a message that nobody reads from one a consumer holds without
 * acking, and both from a message that never reached RabbitMQ. Nothing here imports vitest: worlds register
 * their namespace, and the test run's setup file (queues-on-failure.ts) asks for the report.
 */

/** Ready and consumer counts as RabbitMQ answers them now (a passive declare per queue: WorldBroker.queueDepths). */
export type CountsNow = () => Promise<QueueDepth[] | undefined>;

/** Namespaces whose worlds are running in this process; a world adds its own at start and removes it at stop. */
const watched = new Map<string, CountsNow | undefined>();

/**
 * Registers a namespace for the failure report; the returned function removes it. The management API's
 * counts lag by seconds, so a consumer killed just before the failure would still show: `countsNow`
 * corrects ready and consumers (unacked has no such source and stays sampled).
 */
export function watchQueuesOf(namespace: string, countsNow?: CountsNow): () => void {
  watched.set(namespace, countsNow);
  return () => watched.delete(namespace);
}

/** At most this many queue lines, so that the check's own message stays in sight. */
const MAX_QUEUE_LINES = 10;

/** A retry queue has no consumer by design (its messages wait out a TTL); a dead-letter queue waits for a person. */
function roleOf(name: string): 'retry' | 'dead' | 'main' {
  return name.endsWith('.retry') ? 'retry' : name.endsWith('.dead') ? 'dead' : 'main';
}

/**
 * Worth a line: something waits in it, or it is a queue a service should read and nobody does. A stream
 * (lab 07's event logs) never is: it keeps every message, and readers come and go.
 */
function worthShowing(q: QueueStats): boolean {
  return !q.stream && (q.ready > 0 || q.unacked > 0 || (q.consumers === 0 && roleOf(q.name) === 'main'));
}

function noteOf(q: QueueStats): string {
  const role = roleOf(q.name);
  if (role === 'dead' && q.ready > 0) return '  <- dead letters';
  if (role === 'retry' && q.ready > 0) return '  <- waiting to be retried';
  if (role === 'main' && q.consumers === 0) return '  <- no consumer';
  if (q.unacked > 0) return '  <- held by a consumer, not acked';
  return '';
}

/**
 * The report for one namespace, pure: the queues worth a line (most messages first, then those without a
 * consumer), their names without the namespace prefix, and one line for the rest. The namespace is named only
 * when `named` (a process with two worlds): it is gone after the run, and captured runs stay the same.
 */
export function formatQueueReport(namespace: string, queues: readonly QueueStats[], { named = false, now = false } = {}): string {
  const title = `where messages waited in RabbitMQ${named ? `, ${namespace}` : ''}`;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const shown = queues
    .filter(worthShowing)
    .sort((a, b) => b.ready + b.unacked - (a.ready + a.unacked) || a.consumers - b.consumers || a.name.localeCompare(b.name));
  const streams = queues.filter((q) => q.stream).length;
  const quiet = queues.length - shown.length - streams;
  const streamNote = streams > 0 ? `; ${count(streams, 'stream')} not counted: a stream keeps every message` : '';
  // Nothing waits: one line, so that a starter failing every check for a missing part is not buried in tables.
  // A world with no queue (lab 01's synchronous mesh) uses no messaging: a line about RabbitMQ would only be noise.
  if (queues.length === 0) return '';
  if (shown.length === 0) return `${title}: nowhere (${count(quiet, 'queue')}, all empty, each one a service reads with a consumer${streamNote})`;
  const short = (name: string) => (name.startsWith(`${namespace}.`) ? name.slice(namespace.length + 1) : name);
  const listed = shown.slice(0, MAX_QUEUE_LINES);
  const width = Math.max(5, ...listed.map((q) => short(q.name).length));
  const when = now ? 'ready and consumers now, unacked as sampled seconds ago' : 'counts sampled every few seconds';
  const lines = [`${title} (${when}):`, `  ${'queue'.padEnd(width)}  ready  unacked  consumers`];
  for (const q of listed) {
    lines.push(`  ${short(q.name).padEnd(width)}  ${String(q.ready).padStart(5)}  ${String(q.unacked).padStart(7)}  ${String(q.consumers).padStart(9)}${noteOf(q)}`);
  }
  if (shown.length > listed.length) lines.push(`  ... and ${shown.length - listed.length} more with messages or without a consumer`);
  if (quiet > 0 || streams > 0) lines.push(`  ${quiet > 0 ? `${count(quiet, 'more queue')}, empty` : 'no other queue'}${streamNote}`);
  return lines.join('\n');
}

/**
 * The report for every namespace registered in this process, or undefined when none is. Bounded by
 * `timeoutMs` and never throws: a diagnostic that fails must not hide the check's own failure, so a
 * management API that does not answer in time is one line saying so.
 */
export async function describeWatchedQueues(timeoutMs = 2_000, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (watched.size === 0) return undefined;
  const admin = rabbitAdmin(env, timeoutMs);
  const reports = await Promise.all(
    [...watched].map(async ([namespace, countsNow]) => {
      try {
        const [sampled, now] = await Promise.all([admin.queueStats(namespace), countsNow ? withDeadline(countsNow(), timeoutMs) : undefined]);
        return formatQueueReport(namespace, correct(sampled, now), { named: watched.size > 1, now: now !== undefined });
      } catch (error) {
        // The error's fix sentence is for a setup problem: `npm run doctor` says it; here one line is enough.
        const why = error instanceof Error ? error.message.split('. Fix:')[0] : String(error);
        return `where messages waited in RabbitMQ: not known (${why})`;
      }
    }),
  );
  return reports.filter(Boolean).join('\n') || undefined;
}

/** The sampled counts, with ready and consumers replaced by the counts now where a queue has them. */
function correct(sampled: QueueStats[], now: QueueDepth[] | undefined): QueueStats[] {
  if (!now) return sampled;
  const byName = new Map(now.map((d) => [d.queue, d]));
  return sampled.map((q) => {
    const exact = q.stream ? undefined : byName.get(q.name);
    return exact ? { ...q, ready: exact.ready, consumers: exact.consumers } : q;
  });
}

/** The promise's value, or undefined when it fails or takes longer than `ms`: then the sampled counts stand. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
