import { NOT_DONE_YET } from '../platform/todo.ts';

/**
 * What each service a test file started has said, kept where a failing check can show it. A starter's relay
 * or consumer that reaches unwritten code catches the LabTodo and retries quietly; without this, the grader
 * could only say that something was "still not true after 30000 ms". Nothing here imports vitest: child
 * processes register themselves, and the test run's setup file (service-output-on-failure.ts) reads them.
 */
export interface ServiceRecord {
  readonly name: string;
  /** The last lines the service printed, across restarts (a ring: child-service.ts keeps it bounded). */
  readonly output: string[];
  /** Each distinct "lab NN is not done yet: ..." line it printed, kept even once it left the ring. */
  readonly notDoneYet: string[];
  /** One line per time the process exited while nobody had asked it to stop. */
  readonly crashes: string[];
  readonly startedAt: number;
  endedAt?: number;
}

/** What a failing check shows of the services, first what the learner must do, then what they said. */
export interface ServicesReport {
  /** "Not done yet" lines and crashes: shown before the check's own message. */
  first: string[];
  /** The last lines of each service's output, readable. */
  tails: string;
}

const registry: ServiceRecord[] = [];

export function registerService(name: string, output: string[]): ServiceRecord {
  const record: ServiceRecord = { name, output, notDoneYet: [], crashes: [], startedAt: Date.now() };
  registry.push(record);
  return record;
}

/** Called with each line a service prints, after it was added to the record's output. */
export function noticeLine(record: ServiceRecord, line: string): void {
  const todo = NOT_DONE_YET.exec(line)?.[0];
  if (todo && !record.notDoneYet.includes(todo)) record.notDoneYet.push(todo);
}

/** The services that were running at some moment since `since` (a test's start), in the order they started. */
export function servicesSince(since: number): ServiceRecord[] {
  return registry.filter((r) => r.endedAt === undefined || r.endedAt >= since);
}

export function describeServices(records: ServiceRecord[], tailLines = 8): ServicesReport | undefined {
  if (records.length === 0) return undefined;
  const said = new Map<string, string[]>();
  for (const r of records) for (const todo of r.notDoneYet) said.set(todo, [...(said.get(todo) ?? []), r.name]);
  const first = [...[...said].map(([todo, names]) => `${[...new Set(names)].join(', ')}: ${todo}`), ...records.flatMap((r) => r.crashes)];
  // The "not done yet" sentence is long and already shown first: in the tails it is only referred to.
  const shorten = (line: string) => line.replace(new RegExp(NOT_DONE_YET.source, 'g'), (todo) => `${todo.slice(0, todo.indexOf(':'))} (see above)`);
  const tails = records
    .filter((r) => r.output.length > 0)
    .map((r) => {
      // The announcement itself is the line shown first; the tail keeps what the service did around it.
      const said = r.output.slice(-200).filter((l) => NOT_DONE_YET.exec(l)?.[0] !== l.trim());
      const lines = collapse(said.map((l) => shorten(readable(l)))).slice(-tailLines);
      return `last lines of ${r.name}:\n${lines.map((l) => `  | ${l}`).join('\n')}`;
    })
    .join('\n');
  return { first, tails };
}

/**
 * A pino JSON line as a person reads it: level, message, and the error's message if there is one. Stacks
 * and ids are left out; the run's timeline has the rest.
 */
export function readable(line: string): string {
  if (!line.startsWith('{')) return clip(line);
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; error?: unknown };
    const level = LEVELS[entry.level ?? 30] ?? 'INFO';
    const why = entry.err?.message ?? (typeof entry.error === 'string' ? entry.error : undefined);
    return clip(`${level} ${entry.msg ?? ''}${why ? `: ${why}` : ''}`);
  } catch {
    return clip(line);
  }
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One line per entry: an error message spanning lines (zod's do) would break the tail's indentation. */
function clip(text: string, max = 240): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A relay retrying four workers every 250 ms says the same thing many times: once, with a count. */
function collapse(lines: string[]): string[] {
  const out: Array<{ line: string; count: number }> = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last?.line === line) last.count += 1;
    else out.push({ line, count: 1 });
  }
  return out.map(({ line, count }) => (count > 1 ? `${line}  (×${count})` : line));
}
