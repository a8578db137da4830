import net from 'node:net';
import { POSTGRES_IMAGE, postgresCommand, RABBITMQ_IMAGE, RABBITMQ_MANAGEMENT_PORT } from './service-requirements.ts';

/** How a service was found, in the order DESIGN.md gives: environment, loopback, testcontainers. */
export type Route = 'environment' | 'loopback' | 'testcontainers';

export interface ResolvedService {
  url: string;
  route: Route;
  /** RabbitMQ's management API, when a container was started (its port is mapped to a random one). */
  managementUrl?: string;
}

export interface ResolvedServices {
  postgres: ResolvedService;
  rabbitmq: ResolvedService;
  /** Stops containers this process started (nothing to do on the other routes). */
  stop(): Promise<void>;
}

/** What the resolver asks of the outside world; a unit test passes fakes, everything else the real ones. */
export interface Probes {
  tcpAnswers(host: string, port: number): Promise<boolean>;
  dockerAnswers(): Promise<boolean>;
  startPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
  startRabbitMq(): Promise<{ url: string; managementUrl: string; stop(): Promise<void> }>;
}

export const LOOPBACK_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const LOOPBACK_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export class ServicesUnavailableError extends Error {
  constructor(missing: string[]) {
    super(
      [
        `Could not reach ${missing.join(' or ')}.`,
        'The kit looks for them in this order: DATABASE_URL / AMQP_URL, then 127.0.0.1:5432 / 127.0.0.1:5672, then Docker (testcontainers).',
        'Fix it with one of:',
        '  docker compose up -d            (starts both from docker-compose.yml)',
        '  install PostgreSQL 15 and RabbitMQ 3 locally, listening on 127.0.0.1',
        '  export DATABASE_URL=postgres://user@host:5432/postgres AMQP_URL=amqp://user:pass@host:5672',
        'Then run `npm run doctor` to check.',
      ].join('\n'),
    );
    this.name = 'ServicesUnavailableError';
  }
}

/**
 * Finds PostgreSQL and RabbitMQ. Each is resolved on its own: a learner may set DATABASE_URL and still use
 * a RabbitMQ on loopback. Docker is only asked when a service is missing from both earlier routes, and the
 * no-Docker answer comes back in milliseconds, so a laptop without Docker never waits on it.
 */
export async function resolveServices(env: NodeJS.ProcessEnv = process.env, probes: Probes = realProbes): Promise<ResolvedServices> {
  const stops: Array<() => Promise<void>> = [];
  const find = async (
    envUrl: string | undefined,
    loopbackUrl: string,
    port: number,
    start: () => Promise<{ url: string; managementUrl?: string; stop(): Promise<void> }>,
  ): Promise<ResolvedService | undefined> => {
    if (envUrl) return { url: envUrl, route: 'environment' };
    if (await probes.tcpAnswers('127.0.0.1', port)) return { url: loopbackUrl, route: 'loopback' };
    if (await probes.dockerAnswers()) {
      const { stop, ...started } = await start();
      stops.push(stop);
      return { ...started, route: 'testcontainers' };
    }
    return undefined;
  };
  const [postgres, rabbitmq] = await Promise.all([
    find(env.DATABASE_URL, LOOPBACK_POSTGRES_URL, 5432, probes.startPostgres),
    find(env.AMQP_URL, LOOPBACK_AMQP_URL, 5672, probes.startRabbitMq),
  ]);
  const stop = async () => {
    await Promise.all(stops.map((s) => s()));
  };
  if (!postgres || !rabbitmq) {
    await stop();
    throw new ServicesUnavailableError([...(postgres ? [] : ['PostgreSQL']), ...(rabbitmq ? [] : ['RabbitMQ'])]);
  }
  return { postgres, rabbitmq, stop };
}

export function tcpAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when testcontainers finds a container runtime. Without one it fails fast ("no working strategy"). */
export async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export const realProbes: Probes = {
  tcpAnswers: (host, port) => tcpAnswers(host, port),
  dockerAnswers,
  async startPostgres() {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    // The settings docker-compose.yml starts PostgreSQL with (wal_level=logical for lab 02b, room for parallel graders).
    const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withCommand(postgresCommand()).start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  },
  async startRabbitMq() {
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const container = await new RabbitMQContainer(RABBITMQ_IMAGE).start();
    // The image's default user; the module's getAmqpUrl() leaves the credentials out, and fetch cannot.
    const managementUrl = `http://guest:guest@${container.getHost()}:${container.getMappedPort(RABBITMQ_MANAGEMENT_PORT)}`;
    return { url: container.getAmqpUrl(), managementUrl, stop: async () => void (await container.stop()) };
  },
};

/**
 * Resolves the services and exports their URLs as DATABASE_URL and AMQP_URL (and a container's management API
 * as RABBITMQ_MANAGEMENT_URL), where the harness (namespaces) and every service started as a child process
 * read them. The test run's global setup, demos and benchmarks
 * all start this way.
 */
export async function resolveAndExportServices(env: NodeJS.ProcessEnv = process.env, probes: Probes = realProbes): Promise<ResolvedServices> {
  const services = await resolveServices(env, probes);
  env.DATABASE_URL = services.postgres.url;
  env.AMQP_URL = services.rabbitmq.url;
  if (services.rabbitmq.managementUrl) env.RABBITMQ_MANAGEMENT_URL = services.rabbitmq.managementUrl;
  return services;
}

/**
 * For code running under a grader: the URLs the test runner's global setup resolved (it exports them as
 * DATABASE_URL and AMQP_URL), or the loopback defaults.
 */
export function serviceUrls(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string; amqpUrl: string } {
  return { databaseUrl: env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL, amqpUrl: env.AMQP_URL ?? LOOPBACK_AMQP_URL };
}
