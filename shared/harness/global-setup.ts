import { sweepStaleNamespaces } from './namespace-sweep.ts';
import { ManagementApiUnavailableError } from './rabbit-admin.ts';
import { resolveAndExportServices, type ResolvedServices } from './services.ts';

let services: ResolvedServices | undefined;

/**
 * Finds PostgreSQL and RabbitMQ once per test run (starting containers only if nothing answers on loopback
 * and Docker is there) and hands their URLs to every test file through the environment. Then removes what
 * crashed runs left behind (see `sweepStaleNamespaces`); this also fails at once, in one line with its fix,
 * when RabbitMQ's management API (which every namespace's teardown needs) does not answer.
 */
export async function setup(): Promise<void> {
  services = await resolveAndExportServices();
  let removed: string[];
  try {
    ({ removed } = await sweepStaleNamespaces());
  } catch (error) {
    await services.stop(); // vitest skips the teardown of a setup that failed
    // The message is the whole story (what does not answer, and the fix): no stack trace and code frame under it.
    if (error instanceof ManagementApiUnavailableError) error.stack = `${error.name}: ${error.message}`;
    throw error;
  }
  if (removed.length > 0) process.stderr.write(`removed ${removed.length} test namespace(s) left over by runs that ended over an hour ago\n`);
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
