import { sweepStaleNamespaces } from './namespace-sweep.ts';
import { ManagementApiUnavailableError } from './rabbit-admin.ts';
import { resolveAndExportServices, tcpAnswers, type ResolvedServices } from './services.ts';

let services: ResolvedServices | undefined;

/**
 * Finds PostgreSQL and RabbitMQ once per test run (starting containers only if nothing answers on loopback
 * and Docker is there) and hands their URLs to every test file through the environment.
 * A URL taken from the environment is not probed by the resolver; it is probed here, so that a DATABASE_URL
 * or AMQP_URL pointing at nothing stops the run at once with one sentence, instead of failing every check.
 * Then removes what crashed runs left behind (see `sweepStaleNamespaces`); this also fails at once, in one
 * line with its fix, when RabbitMQ's management API (which every namespace's teardown needs) does not answer.
 */
export async function setup(): Promise<void> {
  services = await resolveAndExportServices();
  for (const [what, variable, { url, route }] of [
    ['PostgreSQL', 'DATABASE_URL', services.postgres],
    ['RabbitMQ', 'AMQP_URL', services.rabbitmq],
  ] as const) {
    if (route !== 'environment') continue;
    const { hostname, port } = new URL(url);
    const defaultPort = what === 'PostgreSQL' ? 5432 : 5672;
    if (!(await tcpAnswers(hostname, Number(port || defaultPort), 2_000))) {
      throw new Error(`Could not reach ${what} at ${hostname}:${port || defaultPort}, where ${variable} points.\nFix: start ${what} there, or unset ${variable} to use 127.0.0.1 (then \`npm run doctor\`).`);
    }
  }
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
