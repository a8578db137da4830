import type { Logger } from './log.ts';

/**
 * Runs the given closers once on SIGTERM or SIGINT (stop taking requests first, close pools last), then exits.
 * SIGKILL cannot be caught, and that is the point of the crash tests: a service must be correct even when
 * none of this runs.
 */
export function onShutdown(logger: Logger, closers: Array<() => Promise<unknown> | unknown>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Reads a required environment variable or stops the service with a message that says what to set. */
export function requireEnv(name: string, example: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name} (for example ${name}=${example})`);
    process.exit(2);
  }
  return value;
}
