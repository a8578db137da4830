import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { bundleService } from './bundle.ts';
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

/** A free TCP port on loopback, so a restarted service can come back on the port its callers know. */
export function freePort(): Promise<number> {
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
  let current = await launch(spec, bundle, output);
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
        current.child.kill('SIGKILL');
      }
      await current.exit;
    },
    async stop() {
      if (!current.exited()) current.child.kill('SIGTERM');
      await current.exit;
    },
    async restart() {
      await handle.kill();
      current = await launch(spec, bundle, output);
      return handle;
    },
  };
  return handle;
}

interface Launched {
  child: ChildProcess;
  exit: Promise<void>;
  exited(): boolean;
}

function launch(spec: ServiceSpec, bundle: string, output: string[]): Promise<Launched> {
  const { name, env, readyMessage = 'listening', readyTimeoutMs = 15_000, timeline } = spec;
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    // stdin is a pipe only so that the service notices when the test process dies (see bundle.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const launched: Launched = { child, exit, exited: () => exited };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not log "${readyMessage}" within ${readyTimeoutMs} ms. Its last output:\n${tail(output)}`));
    }, readyTimeoutMs);
    let ready = false;
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 500) output.shift();
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

function tail(output: string[], count = 15): string {
  return output.slice(-count).map((l) => `  | ${l}`).join('\n') || '  (nothing)';
}
