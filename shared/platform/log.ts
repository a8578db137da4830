import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger per service. JSON lines on stdout, so a grader that runs the service as a child
 * process can read what happened (the harness waits for the `listening` line, for example).
 * LOG_LEVEL=silent quiets a service in demos; graders keep `info` so a failure can show the service's story.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service } });
}
