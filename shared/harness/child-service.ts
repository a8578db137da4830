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
  readonly pid: number;
  /** Every line the process printed, newest last: shown when a grader fails. */
  readonly output: string[];
  /** SIGKILL: no shutdown hook runs, no buffer is flushed. This is how the graders crash a service. */
  kill(): Promise<void>;
  /** SIGTERM and wait: a polite stop. */
  stop(): Promise<void>;
  /** Starts the same service again with the same environment (and so the same port). */
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
  return launch(spec, await bundleService(spec.entry, spec.name));
}

function launch(spec: ServiceSpec, bundle: string): Promise<RunningService> {
  const { name, env, readyMessage = 'listening', readyTimeoutMs = 15_000, timeline } = spec;
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', bundle], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not log "${readyMessage}" within ${readyTimeoutMs} ms. Its last output:\n${tail(output)}`));
    }, readyTimeoutMs);
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 500) output.shift();
      if (parseMsg(line) === readyMessage) {
        clearTimeout(timer);
        timeline?.note(`${name} started (pid ${child.pid})`);
        resolve(service);
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready. Its last output:\n${tail(output)}`));
    });

    const service: RunningService = {
      name,
      pid: child.pid!,
      output,
      get exited() {
        return exited;
      },
      async kill() {
        if (!exited) {
          timeline?.note(`${name} SIGKILLed`);
          child.kill('SIGKILL');
        }
        await exit;
      },
      async stop() {
        if (!exited) child.kill('SIGTERM');
        await exit;
      },
      async restart() {
        await service.kill();
        return launch(spec, bundle);
      },
    };
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
