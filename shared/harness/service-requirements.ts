/**
 * What the kit asks of PostgreSQL and RabbitMQ, written once. Four places start or check these services:
 * docker-compose.yml (a learner with Docker, the dev container, the GitHub Classroom workflow), .ci/run (CI),
 * testcontainers (services.ts) and `npm run doctor`. A test (service-requirements.unit.test.ts) reads all of
 * them and fails when one of them drifts from this file.
 */

/** The images docker-compose.yml and testcontainers start: the management image has the HTTP API tests need. */
export const POSTGRES_IMAGE = 'postgres:15';
export const RABBITMQ_IMAGE = 'rabbitmq:3-management';

export const POSTGRES_PORT = 5432;
export const AMQP_PORT = 5672;
/** RabbitMQ's management API: every test namespace's teardown deletes its queues and exchanges through it. */
export const RABBITMQ_MANAGEMENT_PORT = 15672;
export const RABBITMQ_PLUGINS = ['rabbitmq_management'] as const;

/**
 * Server settings, each with why. `minimum` settings may be higher; `exact` ones must be this value.
 * The limits are above PostgreSQL's defaults (100 connections, 10 slots, 10 WAL senders) because graders run
 * several test files at once, each with its own services, pools and (lab 02b) replication slots.
 */
export const POSTGRES_SETTINGS = [
  { name: 'wal_level', value: 'logical', kind: 'exact', why: 'lab 02b tails the write-ahead log through logical replication' },
  { name: 'max_connections', value: '300', kind: 'minimum', why: 'graders run test files in parallel, each with its own services and pools' },
  { name: 'max_replication_slots', value: '40', kind: 'minimum', why: 'each lab 02b test file holds its own replication slots' },
  { name: 'max_wal_senders', value: '40', kind: 'minimum', why: 'each replication slot being read needs a WAL sender' },
] as const;

export type PostgresSetting = (typeof POSTGRES_SETTINGS)[number];

/** `postgres -c name=value ...`: the command line docker-compose.yml and testcontainers start PostgreSQL with. */
export function postgresCommand(): string[] {
  return ['postgres', ...POSTGRES_SETTINGS.flatMap((s) => ['-c', `${s.name}=${s.value}`])];
}

/** Undefined when the running server's value satisfies the setting, else what is wrong in one sentence. */
export function settingProblem(setting: PostgresSetting, actual: string | undefined): string | undefined {
  if (actual === undefined) return `${setting.name} could not be read`;
  if (setting.kind === 'exact') return actual === setting.value ? undefined : `${setting.name} is ${actual}, the kit needs ${setting.value} (${setting.why})`;
  return Number(actual) >= Number(setting.value) ? undefined : `${setting.name} is ${actual}, the kit needs at least ${setting.value} (${setting.why})`;
}
