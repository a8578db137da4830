import net from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { connectBroker } from '../platform/messaging.ts';
import { eventually } from './eventually.ts';
import { createNamespace, removeNamespace, withAdminClient, type Namespace } from './namespace.ts';
import { sweepStaleNamespaces } from './namespace-sweep.ts';
import { ManagementApiUnavailableError, rabbitAdmin } from './rabbit-admin.ts';
import { serviceUrls } from './services.ts';

const logger = createLogger('namespace-test', 'silent');
const admin = rabbitAdmin();
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Databases whose names start with the namespace's id. */
async function databasesOf(id: string): Promise<string[]> {
  return withAdminClient(serviceUrls().databaseUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [id]);
    return rows.map((r) => r.datname);
  });
}

async function leftovers(id: string) {
  return { databases: await databasesOf(id), queues: await admin.queues(id), exchanges: await admin.exchanges(id) };
}

/**
 * What a namespace's services leave on a crash: a database, and a queue with its retry and dead-letter queues
 * behind an exchange, with one message in the dead-letter queue (the kind nothing ever consumes).
 */
async function populate(ns: Namespace): Promise<void> {
  await ns.createDatabase('orders');
  const broker = await connectBroker({ url: ns.amqpUrl, prefix: ns.id, service: 'namespace-test', logger });
  await broker.declareTopology({ exchanges: ['orders'], queues: [{ name: 'billing', bindings: [{ exchange: 'orders', pattern: 'OrderCreated.#' }] }] });
  const consumer = await broker.consume('billing', () => {}, { maxAttempts: 1, schema: {} });
  await broker.publish('orders', { id: randomUUID(), type: 'OrderCreated', key: randomUUID(), payload: {} });
  await broker.waitFor('dead-lettered', 1); // no schema for the type: a poison message, straight to `billing.dead`
  await consumer.cancel();
  await broker.close();
}

describe('namespace teardown', () => {
  test('when a namespace is dropped, then none of its databases, queues (dead-letter included) or exchanges remain', async () => {
    const ns = await createNamespace('teardown');
    cleanups.push(() => ns.drop());
    await populate(ns);
    expect(await leftovers(ns.id)).toEqual({
      databases: [`${ns.id}_orders`],
      queues: expect.arrayContaining([`${ns.id}.billing`, `${ns.id}.billing.retry`, `${ns.id}.billing.dead`]),
      exchanges: [`${ns.id}.orders`],
    });

    await ns.drop();

    expect(await leftovers(ns.id)).toEqual({ databases: [], queues: [], exchanges: [] });
  });

  test('when the management API does not answer, then the error is one line that names the fix', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const env = { ...process.env, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${closedPort}` };

    const error = await removeNamespace(`kit_nothing_${randomUUID().slice(0, 6)}`, env).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManagementApiUnavailableError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`127.0.0.1:${closedPort}`);
    expect(message).toContain('rabbitmq-plugins enable rabbitmq_management');
  });
});

describe('sweeping what crashed runs left behind', () => {
  test('when a namespace is over an hour old and nothing uses it, then the sweep removes it, and leaves young, busy and undated ones alone', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    // A crashed run's: never dropped.
    const crashed = await createNamespace('sweep', { createdAt: twoHoursAgo });
    cleanups.push(() => crashed.drop());
    await populate(crashed);
    // A run in progress right now, between two of its tests: nothing connected at this moment.
    const young = await createNamespace('sweep');
    cleanups.push(() => young.drop());
    await populate(young);
    // A demo that has been running for two hours: its session on the database says it is alive.
    const busyDatabase = await createNamespace('sweep', { createdAt: twoHoursAgo });
    cleanups.push(() => busyDatabase.drop());
    const session = new pg.Client({ connectionString: await busyDatabase.createDatabase('orders') });
    await session.connect();
    cleanups.push(() => session.end());
    // Another long-lived one with only a RabbitMQ connection (lab 02's relay keeps no database of its own).
    const busyBroker = await createNamespace('sweep', { createdAt: twoHoursAgo });
    cleanups.push(() => busyBroker.drop());
    const liveBroker = await connectBroker({ url: busyBroker.amqpUrl, prefix: busyBroker.id, service: 'namespace-test', logger });
    cleanups.push(() => liveBroker.close());
    await liveBroker.declareTopology({ exchanges: ['orders'], queues: [] });
    // Management statistics lag: wait until RabbitMQ lists the live connection, as it would for an old one.
    await eventually(async () => (await admin.survey('kit_')).connections.includes(`namespace-test (${busyBroker.id})`), {
      timeoutMs: 15_000,
      description: 'the management API lists the live connection',
    });
    // An id in the old format, without a date: its age cannot be known, so it is never swept.
    const undated = `kit_sweep_${randomUUID().slice(0, 6)}`;
    await withAdminClient(serviceUrls().databaseUrl, (c) => c.query(`CREATE DATABASE "${undated}_orders"`));
    cleanups.push(() => withAdminClient(serviceUrls().databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${undated}_orders"`)));

    const result = await sweepStaleNamespaces();

    expect(result.removed).toContain(crashed.id);
    expect(await leftovers(crashed.id)).toEqual({ databases: [], queues: [], exchanges: [] });
    expect(result.inUse).toEqual(expect.arrayContaining([busyDatabase.id, busyBroker.id]));
    expect(result.removed).not.toContain(young.id);
    expect((await leftovers(young.id)).queues).toHaveLength(3);
    expect(await databasesOf(busyDatabase.id)).toEqual([`${busyDatabase.id}_orders`]);
    expect(await admin.exchanges(busyBroker.id)).toEqual([`${busyBroker.id}.orders`]);
    expect(await databasesOf(undated)).toEqual([`${undated}_orders`]);
  });
});
