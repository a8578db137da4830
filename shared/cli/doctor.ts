import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { walLevelProblem } from '../platform/wal-level.ts';
import { MANAGEMENT_API_FIX, ManagementApiUnavailableError, managementUrl, rabbitAdmin } from '../harness/rabbit-admin.ts';
import { dockerAnswers, LOOPBACK_AMQP_URL, LOOPBACK_POSTGRES_URL, tcpAnswers, type Route } from '../harness/services.ts';
import { POSTGRES_SETTINGS, settingProblem } from '../harness/service-requirements.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** The command (or step) that fixes a failed check. */
  fix?: string;
}

const MIN_NODE = [20, 11];

/** Everything a learner's machine needs, each with the command that fixes it. Exit code 1 if one fails. */
export async function doctor(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  checks.push({
    name: 'Node.js',
    ok: major > MIN_NODE[0]! || (major === MIN_NODE[0] && minor >= MIN_NODE[1]!),
    detail: `v${process.versions.node} (the kit needs ${MIN_NODE.join('.')} or newer)`,
    fix: 'install Node.js 20 LTS or newer from https://nodejs.org (or `nvm install 20`)',
  });

  const docker = await dockerAnswers();
  checks.push({
    name: 'Docker',
    ok: true,
    detail: docker ? 'a Docker engine answers: testcontainers can start PostgreSQL and RabbitMQ if nothing else is found' : 'no Docker engine answers (fine if PostgreSQL and RabbitMQ run locally)',
  });

  const postgres = await locate(env.DATABASE_URL, 5432, docker);
  checks.push(serviceCheck('PostgreSQL', postgres, env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL, 'DATABASE_URL'));
  if (postgres.route === 'environment' || postgres.route === 'loopback') {
    checks.push(await walLevelCheck(env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL));
    if (postgres.answers) checks.push(await postgresLimitsCheck(env.DATABASE_URL ?? LOOPBACK_POSTGRES_URL));
  }

  const rabbit = await locate(env.AMQP_URL, 5672, docker);
  checks.push(serviceCheck('RabbitMQ', rabbit, env.AMQP_URL ?? LOOPBACK_AMQP_URL, 'AMQP_URL'));
  if ((rabbit.route === 'environment' || rabbit.route === 'loopback') && rabbit.answers) checks.push(await managementApiCheck(env));

  checks.push(await chromiumCheck());
  return checks;
}

async function locate(envUrl: string | undefined, port: number, docker: boolean): Promise<{ route?: Route; answers: boolean }> {
  if (envUrl) {
    const url = new URL(envUrl);
    return { route: 'environment', answers: await tcpAnswers(url.hostname, Number(url.port || port)) };
  }
  if (await tcpAnswers('127.0.0.1', port)) return { route: 'loopback', answers: true };
  if (docker) return { route: 'testcontainers', answers: true };
  return { answers: false };
}

function serviceCheck(name: string, found: { route?: Route; answers: boolean }, url: string, variable: string): Check {
  const where = new URL(url);
  if (found.route === 'testcontainers') return { name, ok: true, detail: 'nothing on loopback; graders will start a container with testcontainers' };
  if (found.answers) return { name, ok: true, detail: `answers at ${where.hostname}:${where.port} (route: ${found.route})` };
  return {
    name,
    ok: false,
    detail: found.route === 'environment' ? `${variable} is set, but ${where.hostname}:${where.port} does not answer` : `nothing answers at 127.0.0.1:${where.port} and there is no Docker engine`,
    fix: found.route === 'environment' ? `check ${variable}, or unset it to use 127.0.0.1` : '`docker compose up -d` (with Docker), or install and start it locally',
  };
}

/** Every test namespace's teardown deletes its queues and exchanges through the management API. */
export async function managementApiCheck(env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const name = 'RabbitMQ management API';
  const url = managementUrl(env);
  const where = `${url.protocol}//${url.host}`;
  try {
    const version = await rabbitAdmin(env).version();
    return { name, ok: true, detail: `answers at ${where} (RabbitMQ ${version})` };
  } catch (error) {
    const unavailable = error instanceof ManagementApiUnavailableError;
    const why = unavailable ? error.reason : (error as Error).message;
    return {
      name,
      ok: false,
      detail: `does not answer at ${where} (${why}); tests need it to delete their queues and exchanges`,
      fix: unavailable ? error.fix : MANAGEMENT_API_FIX,
    };
  }
}

async function walLevelCheck(url: string): Promise<Check> {
  const name = 'PostgreSQL wal_level';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
    const level = rows[0]?.wal_level ?? 'unknown';
    return {
      name,
      ok: true,
      detail: level === 'logical' ? 'logical (lab 02b can tail the write-ahead log)' : `${level}: fine until lab 02b, which tails the write-ahead log and needs "logical"`,
      fix: walLevelProblem(level) && `for lab 02b: ${walLevelProblem(level)!.fix}`,
    };
  } catch (error) {
    return { name, ok: false, detail: `could not connect: ${(error as Error).message}`, fix: 'check that the user in DATABASE_URL may connect (trust or password)' };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The limits of service-requirements.ts (docker compose and CI start PostgreSQL with them); advice, not a failure. */
export async function postgresLimitsCheck(url: string): Promise<Check> {
  const name = 'PostgreSQL limits';
  const limits = POSTGRES_SETTINGS.filter((s) => s.kind === 'minimum');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [limits.map((s) => s.name)]);
    const actual = new Map(rows.map((r) => [r.name, r.setting]));
    const problems = limits.map((s) => settingProblem(s, actual.get(s.name))).filter((p) => p !== undefined);
    const summary = limits.map((s) => `${s.name}=${actual.get(s.name) ?? '?'}`).join(', ');
    return {
      name,
      ok: true,
      detail: problems.length === 0 ? summary : `${summary}: ${problems.join('; ')}; graders may fail with "too many clients"`,
      fix:
        problems.length === 0
          ? undefined
          : `psql -U postgres ${limits.map((s) => `-c "ALTER SYSTEM SET ${s.name} = ${s.value}"`).join(' ')} and restart PostgreSQL (docker compose up -d starts it with these already)`,
    };
  } catch (error) {
    return { name, ok: false, detail: `could not connect: ${(error as Error).message}`, fix: 'check that the user in DATABASE_URL may connect (trust or password)' };
  } finally {
    await client.end().catch(() => {});
  }
}

async function chromiumCheck(): Promise<Check> {
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/chromium', ['--version'], { timeout: 5_000 });
    return { name: 'Chromium (maintainers only)', ok: true, detail: stdout.trim() };
  } catch {
    return {
      name: 'Chromium (maintainers only)',
      ok: true,
      detail: 'not found; only `npm test` needs it, for the browser test of the site',
      fix: 'on Debian/Ubuntu: sudo apt-get install -y chromium',
    };
  }
}

export function printChecks(checks: Check[]): void {
  for (const check of checks) {
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}\n`);
    if (check.fix && (!check.ok || check.name.includes('wal_level') || check.name.includes('limits') || check.name.includes('Chromium'))) process.stdout.write(`      fix: ${check.fix}\n`);
  }
}
