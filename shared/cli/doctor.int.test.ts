import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { managementUrl } from '../harness/rabbit-admin.ts';
import { LOOPBACK_POSTGRES_URL } from '../harness/services.ts';
import { managementApiCheck, postgresLimitsCheck } from './doctor.ts';

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('doctor: RabbitMQ management API', () => {
  test('when the management API answers, then the check passes and names the RabbitMQ version', async () => {
    const check = await managementApiCheck();
    expect(check).toMatchObject({ name: 'RabbitMQ management API', ok: true });
    expect(check.detail).toMatch(/RabbitMQ \d+\.\d+/);
  });

  test('when the management API does not answer, then the check fails with the fix in one line', async () => {
    const port = await closedPort();
    const check = await managementApiCheck({ ...process.env, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${port}` });
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`127.0.0.1:${port}`);
    expect(check.fix).toContain('rabbitmq-plugins enable rabbitmq_management');
    expect(check.fix).not.toContain('\n');
  });

  test('when the user may not use the management API, then the fix says to give it the management tag', async () => {
    const url = managementUrl();
    url.username = 'nobody';
    url.password = 'wrong';
    const check = await managementApiCheck({ ...process.env, RABBITMQ_MANAGEMENT_URL: url.toString() });
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('HTTP 401');
    expect(check.fix).toContain('set_user_tags');
  });
});

describe('doctor: PostgreSQL limits', () => {
  test('when PostgreSQL runs as CI and docker compose start it, then the limits check names each limit and asks for nothing', async () => {
    const check = await postgresLimitsCheck(process.env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL);
    expect(check).toMatchObject({ name: 'PostgreSQL limits', ok: true, fix: undefined });
    expect(check.detail).toMatch(/max_connections=\d+, max_replication_slots=\d+, max_wal_senders=\d+/);
  });
});
