import { describe, expect, test } from 'vitest';
import { dockerAnswers, LOOPBACK_AMQP_URL, LOOPBACK_POSTGRES_URL, resolveAndExportServices, resolveServices, ServicesUnavailableError, type Probes } from './services.ts';

function probes(overrides: Partial<Probes> & { open?: number[]; docker?: boolean } = {}): Probes & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    tcpAnswers: async (_host, port) => (overrides.open ?? []).includes(port),
    dockerAnswers: async () => overrides.docker ?? false,
    startPostgres: async () => (started.push('postgres'), { url: 'postgres://container/pg', stop: async () => {} }),
    startRabbitMq: async () => (started.push('rabbitmq'), { url: 'amqp://container', managementUrl: 'http://guest:guest@container:32768', stop: async () => {} }),
  };
}

describe('finding PostgreSQL and RabbitMQ', () => {
  test('when DATABASE_URL and AMQP_URL are set, then they win over everything else', async () => {
    const p = probes({ open: [5432, 5672], docker: true });
    const found = await resolveServices({ DATABASE_URL: 'postgres://env/db', AMQP_URL: 'amqp://env' }, p);
    expect(found.postgres).toEqual({ url: 'postgres://env/db', route: 'environment' });
    expect(found.rabbitmq).toEqual({ url: 'amqp://env', route: 'environment' });
    expect(p.started).toEqual([]);
  });

  test('when nothing is set and both answer on loopback, then loopback is used and no container starts', async () => {
    const p = probes({ open: [5432, 5672], docker: true });
    const found = await resolveServices({}, p);
    expect(found.postgres.route).toBe('loopback');
    expect(found.rabbitmq.route).toBe('loopback');
    expect(p.started).toEqual([]);
  });

  test('when only RabbitMQ is missing and Docker answers, then only RabbitMQ comes from a container', async () => {
    const p = probes({ open: [5432], docker: true });
    const found = await resolveServices({}, p);
    expect(found.postgres.route).toBe('loopback');
    expect(found.rabbitmq).toEqual({ url: 'amqp://container', managementUrl: 'http://guest:guest@container:32768', route: 'testcontainers' });
    expect(p.started).toEqual(['rabbitmq']);
  });

  test('when services are resolved for a run, then their URLs are exported for the harness and child services', async () => {
    const env: NodeJS.ProcessEnv = {};
    await resolveAndExportServices(env, probes({ open: [5432, 5672] }));
    expect(env).toEqual({ DATABASE_URL: LOOPBACK_POSTGRES_URL, AMQP_URL: LOOPBACK_AMQP_URL });
  });

  test('when RabbitMQ comes from a container, then its management API URL is exported too (its port is a mapped one)', async () => {
    const env: NodeJS.ProcessEnv = {};
    await resolveAndExportServices(env, probes({ open: [5432], docker: true }));
    expect(env).toEqual({ DATABASE_URL: LOOPBACK_POSTGRES_URL, AMQP_URL: 'amqp://container', RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@container:32768' });
  });

  test('when nothing answers and there is no Docker, then the error says how to get the services', async () => {
    const error = await resolveServices({}, probes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServicesUnavailableError);
    expect((error as Error).message).toContain('PostgreSQL or RabbitMQ');
    expect((error as Error).message).toContain('docker compose up -d');
  });

  test('when there is no Docker engine on this machine, then asking for one answers within a couple of seconds', { timeout: 3_000 }, async () => {
    // The real probe, not a fake: it must fail fast, not hang, where no container runtime exists.
    expect(typeof (await dockerAnswers())).toBe('boolean');
  });
});
