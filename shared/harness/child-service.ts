import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleService } from './bundle.ts';
import { noticeLine, readable, registerService, type ServiceRecord } from './service-output.ts';
import type { Timeline } from './timeline.ts';

export interface ServiceSpec {
  /** Shown in logs and timelines: `order-service`. */
  name: string;
  /** Absolute path of the service's entry file (its `index.ts`). */
  entry: string;
  env: Record<string, string>;
  /** The pino `msg` that says the process is ready; HTTP services log `listening`. */
  readyMessage?: string;
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before it SIGKILLs (STOP_GRACE_MS unless a test needs it shorter). */
  stopGraceMs?: number;
  timeline?: Timeline;
}

export interface RunningService {
  readonly name: string;
  /** The current process's pid (it changes on restart). */
  readonly pid: number;
  /** Every line the process printed (across restarts), newest last: shown when a grader fails. */
  readonly output: string[];
  /** SIGKILL: no shutdown hook runs, no buffer is flushed. This is how the graders crash a service. */
  kill(): Promise<void>;
  /** SIGTERM and wait: a polite stop. */
  stop(): Promise<void>;
  /**
   * Kills the process if it still runs and starts the same service again, with the same environment (so
   * the same port). Returns the same handle, so whoever holds it (a test's cleanup) sees the new process.
   */
  restart(): Promise<RunningService>;
  readonly exited: boolean;
}

/**
 * Ports this process has handed out. The OS may give a port back to the next bind to port 0 as soon as
 * `freePort` closes it, before the service it is meant for has bound it; asking again avoids handing out one
 * port twice (to two services of one world, or to a service and a fault proxy).
 */
const handedOut = new Set<number>();

/** A free TCP port on loopback, so a restarted service can come back on the port its callers know. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await osFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a service as a child process and resolves once it logged `readyMessage`. If it exits first, the
 * error carries the last lines it printed: a starter that crashes at start-up then tells the learner why.
 * The service is bundled once; a restart runs the same bundle.
 */
export async function startService(spec: ServiceSpec): Promise<RunningService> {
  const bundle = await bundleService(spec.entry, spec.name);
  const output: string[] = [];
  // Registered before the first launch, so a service that prints "not done yet" and dies at start-up is seen too.
  const record = registerService(spec.name, output);
  let current = await launch(spec, bundle, record);
  const handle: RunningService = {
    name: spec.name,
    output,
    get pid() {
      return current.child.pid!;
    },
    get exited() {
      return current.exited();
    },
    async kill() {
      if (!current.exited()) {
        spec.timeline?.note(`${spec.name} SIGKILLed`);
        current.expectExit();
        current.child.kill('SIGKILL');
      }
      await current.exit;
    },
    async stop() {
      if (!current.exited()) {
        current.expectExit();
        current.child.kill('SIGTERM');
        // A shutdown that hangs (a closer waiting on a held lock) must not hang the grader with it: after the
        // grace period the stop becomes a crash, and the note says so, because a service that needs it has a bug.
        const graceMs = spec.stopGraceMs ?? STOP_GRACE_MS;
        const hung = await Promise.race([current.exit.then(() => false), sleep(graceMs, true, { ref: false })]);
        if (hung && !current.exited()) {
          const note = `${spec.name} did not exit within ${graceMs} ms of SIGTERM: SIGKILLed`;
          output.push(note);
          spec.timeline?.note(note);
          current.child.kill('SIGKILL');
        }
      }
      await current.exit;
    },
    async restart() {
      await handle.kill();
      current = await launch(spec, bundle, record);
      return handle;
    },
  };
  return handle;
}

interface Launched {
  child: ChildProcess;
  exit: Promise<void>;
  exited(): boolean;
  /** The harness is about to stop it: its exit is not a crash. */
  expectExit(): void;
}

/**
 * How long a polite stop waits for the service to exit: longer than its consumers' own deadline for handlers
 * in progress (DEFAULT_STOP_DEADLINE_MS in shared/platform/messaging/consumer.ts), so a healthy shutdown always fits.
 */
export const STOP_GRACE_MS = 10_000;

/** Lines kept per service (across restarts): enough for a failure's tail, bounded for a chaos run's thousands. */
const OUTPUT_LINES = 500;

function launch(spec: ServiceSpec, bundle: string, record: ServiceRecord): Promise<Launched> {
  const { name, env, readyMessage = 'listening', readyTimeoutMs = 15_000, timeline } = spec;
  const { output } = record;
  const child = spawn(process.execPath, [bundle], {
    // KIT_SERVICE tells shared/platform/todo.ts that it runs in a service, whose stderr the harness reads.
    env: { ...process.env, LOG_LEVEL: 'info', KIT_SERVICE: name, ...env },
    // stdin is a pipe only so that the service notices when the test process dies (see bundle.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  record.endedAt = undefined;
  let exited = false;
  let expected = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      record.endedAt = Date.now();
      resolve();
    }),
  );
  // 'close' comes once its output is read to the end, so the crash's note can quote its last words.
  child.once('close', (code, signal) => {
    if (!expected) record.crashes.push(`${name} crashed (${signal ?? `exit code ${code}`})${lastWords(output)}`);
  });
  const launched: Launched = { child, exit, exited: () => exited, expectExit: () => (expected = true) };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      expected = true;
      child.kill('SIGKILL');
      reject(new Error(`${name} did not log "${readyMessage}" within ${readyTimeoutMs} ms. Its last output:\n${tail(output)}`));
    }, readyTimeoutMs);
    let ready = false;
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > OUTPUT_LINES) output.shift();
      noticeLine(record, line);
      if (!ready && parseMsg(line) === readyMessage) {
        ready = true;
        clearTimeout(timer);
        timeline?.note(`${name} started (pid ${child.pid})`);
        resolve(launched);
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready. Its last output:\n${tail(output)}`));
    });
  });
}

function parseMsg(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
}

/** Why a crashed service died: the error line of Node's report of an uncaught error, else its last line. */
function lastWords(output: string[]): string {
  const error = output.findLast((l) => /^[\w.]*(Error|error)( \[\w+\])?: /.test(l));
  const last = error ?? output.findLast((l) => l.trim() !== '' && !/^Node\.js v/.test(l));
  return last ? `; it last said: ${readable(last)}` : '';
}

function tail(output: string[], count = 15): string {
  return output.slice(-count).map((l) => `  | ${l}`).join('\n') || '  (nothing)';
}
