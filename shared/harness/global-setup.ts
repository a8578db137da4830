import { resolveAndExportServices, type ResolvedServices } from './services.ts';

let services: ResolvedServices | undefined;

/**
 * Finds PostgreSQL and RabbitMQ once per test run (starting containers only if nothing answers on loopback
 * and Docker is there) and hands their URLs to every test file through the environment.
 */
export async function setup(): Promise<void> {
  services = await resolveAndExportServices();
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
