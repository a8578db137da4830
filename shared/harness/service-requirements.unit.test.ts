import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { walLevelProblem } from '../platform/wal-level.ts';
import { REPO_ROOT } from './mutants.ts';
import { managementUrl } from './rabbit-admin.ts';
import {
  AMQP_PORT,
  POSTGRES_IMAGE,
  POSTGRES_PORT,
  POSTGRES_SETTINGS,
  postgresCommand,
  RABBITMQ_IMAGE,
  RABBITMQ_MANAGEMENT_PORT,
  RABBITMQ_PLUGINS,
  settingProblem,
} from './service-requirements.ts';
import { LOOPBACK_AMQP_URL, LOOPBACK_POSTGRES_URL } from './services.ts';

// The same PostgreSQL and RabbitMQ must come out of docker compose (laptops, the dev container, GitHub
// Classroom), .ci/run (CI) and testcontainers, and `npm run doctor` must check for what they provide.
// service-requirements.ts says what that is; this file reads each of the others and compares.

interface ComposeService {
  image: string;
  command?: string[];
  ports?: string[];
}
const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
const ciRun = readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');

/** `-c name=value` pairs of a postgres command line, as a map. */
function settingsOf(command: string[]): Map<string, string> {
  const pairs = command.flatMap((arg, i) => (command[i - 1] === '-c' ? [arg.split('=') as [string, string]] : []));
  return new Map(pairs);
}

describe('docker-compose.yml starts what the kit requires', () => {
  const { postgres, rabbitmq } = compose.services;

  test('when PostgreSQL starts from docker compose, then it runs the required image with every required setting', () => {
    expect(postgres?.image).toBe(POSTGRES_IMAGE);
    expect(Object.fromEntries(settingsOf(postgres?.command ?? []))).toEqual(Object.fromEntries(settingsOf(postgresCommand())));
  });

  test('when RabbitMQ starts from docker compose, then its image has the management plugin', () => {
    expect(rabbitmq?.image).toBe(RABBITMQ_IMAGE);
    expect(RABBITMQ_IMAGE).toMatch(/-management$/);
  });

  test('when docker compose publishes ports, then they are the kit’s ports, on 127.0.0.1 only', () => {
    expect(postgres?.ports).toEqual([`127.0.0.1:${POSTGRES_PORT}:${POSTGRES_PORT}`]);
    expect(rabbitmq?.ports?.sort()).toEqual([`127.0.0.1:${RABBITMQ_MANAGEMENT_PORT}:${RABBITMQ_MANAGEMENT_PORT}`, `127.0.0.1:${AMQP_PORT}:${AMQP_PORT}`].sort());
  });
});

describe('.ci/run sets up what the kit requires', () => {
  test('when PostgreSQL lacks a setting, then .ci/run checks for it and sets it to the required value', () => {
    for (const setting of POSTGRES_SETTINGS) {
      expect(ciRun, `ALTER SYSTEM for ${setting.name}`).toMatch(new RegExp(`ALTER SYSTEM SET ${setting.name} = ${setting.value}\\b`));
      const guard = setting.kind === 'exact' ? `"$(pg_setting ${setting.name})" != ${setting.value} ]` : `"$(pg_setting ${setting.name})" -lt ${setting.value} ]`;
      expect(ciRun, `the check that decides to restart for ${setting.name}`).toContain(guard);
    }
  });

  test('when RabbitMQ lacks a required plugin, then .ci/run enables it', () => {
    for (const plugin of RABBITMQ_PLUGINS) expect(ciRun).toContain(`rabbitmq-plugins enable ${plugin}`);
  });

  test('when .ci/run waits for the services, then it waits on the kit’s ports', () => {
    expect(ciRun).toContain(`pg_isready -h 127.0.0.1 -p ${POSTGRES_PORT}`);
    expect(ciRun).toContain(`/dev/tcp/127.0.0.1/${AMQP_PORT}`);
    expect(ciRun).toContain(`/dev/tcp/127.0.0.1/${RABBITMQ_MANAGEMENT_PORT}`);
  });
});

describe('npm run doctor checks for what the others provide', () => {
  test('when nothing is configured, then doctor and the graders look on the ports docker compose publishes', () => {
    expect(Number(new URL(LOOPBACK_POSTGRES_URL).port)).toBe(POSTGRES_PORT);
    expect(Number(new URL(LOOPBACK_AMQP_URL).port)).toBe(AMQP_PORT);
    expect(Number(managementUrl({ AMQP_URL: LOOPBACK_AMQP_URL }).port)).toBe(RABBITMQ_MANAGEMENT_PORT);
  });

  test('when wal_level is anything but the required value, then doctor and the lab 02b preflight say so', () => {
    const required = POSTGRES_SETTINGS.find((s) => s.name === 'wal_level')!;
    expect(walLevelProblem(required.value)).toBeUndefined();
    expect(walLevelProblem('replica')?.reason).toContain(`wal_level=${required.value}`);
  });

  test('when a limit is below the requirement, then doctor’s limits check names it; at or above, it is satisfied', () => {
    for (const setting of POSTGRES_SETTINGS.filter((s) => s.kind === 'minimum')) {
      expect(settingProblem(setting, setting.value)).toBeUndefined();
      expect(settingProblem(setting, String(Number(setting.value) * 2))).toBeUndefined();
      expect(settingProblem(setting, '10')).toContain(`${setting.name} is 10`);
    }
  });
});
