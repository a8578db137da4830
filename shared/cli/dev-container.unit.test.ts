import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../harness/mutants.ts';
import { AMQP_PORT, POSTGRES_PORT, RABBITMQ_MANAGEMENT_PORT } from '../harness/service-requirements.ts';
import { SITE_URL } from '../platform/todo.ts';
import { schemaValidator } from './schema-validator.ts';

interface DevContainer {
  dockerComposeFile: string[];
  service: string;
  runServices: string[];
  postCreateCommand: string;
  forwardPorts: Array<number | string>;
}
interface Compose {
  services: Record<string, { image: string; ports?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
}
const folder = path.join(REPO_ROOT, '.devcontainer');
const devContainer = JSON.parse(readFileSync(path.join(folder, 'devcontainer.json'), 'utf8')) as DevContainer;
const readCompose = (file: string) => parse(readFileSync(path.join(folder, file), 'utf8')) as Compose;
const composeFiles = devContainer.dockerComposeFile.map(readCompose);
const services = Object.assign({}, ...composeFiles.map((c) => c.services)) as Compose['services'];

describe('the dev container', () => {
  test('when it is checked against the dev container schema (devcontainers/spec, vendored), then it is valid', () => {
    const validate = schemaValidator('shared/vendor/schemas/devContainer.base.schema.json');
    expect(validate(devContainer)).toEqual([]);
    // The validator is not vacuous: a port that is not a number or `host:port`, or a misspelt key, is refused.
    expect(validate({ ...devContainer, forwardPorts: ['the site'] })).not.toEqual([]);
    expect(validate({ ...devContainer, forwardPortz: [3000] })).not.toEqual([]);
  });

  test('when it starts, then it uses the repository’s docker-compose.yml for PostgreSQL and RabbitMQ, the same as laptops and GitHub Classroom', () => {
    expect(devContainer.dockerComposeFile[0]).toBe('../docker-compose.yml');
    expect(devContainer.runServices).toEqual(expect.arrayContaining([devContainer.service, 'postgres', 'rabbitmq']));
    expect(services[devContainer.service]?.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, rabbitmq: { condition: 'service_healthy' } });
  });

  test('when a learner opens it, then Node.js 20 is there and `npm ci` has run', () => {
    expect(services[devContainer.service]?.image).toMatch(/[:-]20-/);
    expect(devContainer.postCreateCommand).toBe('npm ci');
  });

  test('when graders run inside it, then they find the compose services by name, on the kit’s ports', () => {
    const environment = services[devContainer.service]?.environment ?? {};
    const database = new URL(environment.DATABASE_URL ?? '');
    const broker = new URL(environment.AMQP_URL ?? '');
    expect([database.hostname, Number(database.port)]).toEqual(['postgres', POSTGRES_PORT]);
    expect([broker.hostname, Number(broker.port)]).toEqual(['rabbitmq', AMQP_PORT]);
  });

  test('when it forwards ports, then they are the course site’s and RabbitMQ’s management UI, which compose serves', () => {
    expect(devContainer.forwardPorts).toEqual(expect.arrayContaining([Number(new URL(SITE_URL).port), `rabbitmq:${RABBITMQ_MANAGEMENT_PORT}`]));
    expect(services.rabbitmq?.ports?.some((p) => p.endsWith(`:${RABBITMQ_MANAGEMENT_PORT}`))).toBe(true);
  });
});
