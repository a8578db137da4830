import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time per process group, read from Linux's /proc: how a benchmark shows *where* the time went (RabbitMQ,
 * PostgreSQL, the publishing process), not only how long it took. On two cores the three compete, so a
 * publisher that makes the database work harder is slower even if its own code is lean.
 * Elsewhere (macOS, services in a Docker VM) /proc is missing and every figure is undefined.
 */
export interface CpuSample {
  /** RabbitMQ's Erlang VM (beam.smp). */
  broker?: number;
  /** Every PostgreSQL process: backends, WAL writer, walsenders. */
  database?: number;
  /** The process that publishes: the bench itself, or the relay it started. */
  publisher?: number;
}

/** Linux reports CPU time in clock ticks; 100 per second on every mainstream distribution. */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds from the text of /proc/<pid>/stat. */
export function cpuSecondsFromStat(stat: string): number {
  // The second field is the command in parentheses and may itself contain spaces or ')': split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line; the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function readProc(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not Linux
  }
}

function sumCpu(match: (commandLine: string) => boolean): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let total = 0;
  let found = false;
  for (const pid of pids) {
    const commandLine = readProc(pid, 'cmdline')?.replaceAll('\0', ' ');
    if (commandLine === undefined || !match(commandLine)) continue;
    const stat = readProc(pid, 'stat');
    if (stat === undefined) continue;
    total += cpuSecondsFromStat(stat);
    found = true;
  }
  return found ? total : undefined;
}

export function sampleCpu(publisherPid: number): CpuSample {
  const publisherStat = readProc(String(publisherPid), 'stat');
  return {
    broker: sumCpu((line) => line.includes('beam.smp')),
    // PostgreSQL retitles its processes: "postgres: 15/main: postgres kit_bench_… idle".
    database: sumCpu((line) => /^postgres[: ]|\/postgres /.test(line)),
    publisher: publisherStat === undefined ? undefined : cpuSecondsFromStat(publisherStat),
  };
}

/** CPU seconds used between two samples, per group; undefined where either sample had none. */
export function cpuUsed(before: CpuSample, after: CpuSample): CpuSample {
  const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  return {
    broker: minus(after.broker, before.broker),
    database: minus(after.database, before.database),
    publisher: minus(after.publisher, before.publisher),
  };
}

/** Where a world's CPU goes: its service processes, its databases' backends, the broker (shared by all). */
export interface WorldCpuSample {
  services?: number;
  database?: number;
  broker?: number;
}

/**
 * CPU seconds so far of the given service processes, of the PostgreSQL backends serving databases whose
 * names start with `databasePrefix` (a backend's title names its database), and of RabbitMQ. Unlike
 * `sampleCpu`, another test's databases on the same server are not counted.
 */
export function sampleWorldCpu(servicePids: number[], databasePrefix: string): WorldCpuSample {
  const stats = servicePids.map((pid) => readProc(String(pid), 'stat'));
  return {
    services: stats.some((s) => s === undefined) ? undefined : stats.reduce((sum, s) => sum + cpuSecondsFromStat(s!), 0),
    database: sumCpu((line) => /^postgres: /.test(line) && line.includes(` ${databasePrefix}`)),
    broker: sumCpu((line) => line.includes('beam.smp')),
  };
}
