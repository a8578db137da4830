import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { newNamespaceId } from './namespace-id.ts';
import { rabbitAdmin } from './rabbit-admin.ts';
import { serviceUrls } from './services.ts';

/**
 * Everything one test file creates lives under one namespace: databases `<id>_<service>` and RabbitMQ
 * names prefixed `<id>.`. Files can then run in parallel without seeing each other's rows or messages,
 * and `drop()` leaves nothing behind.
 */
export interface Namespace {
  /** Like `kit_01_20261130t100512_3f9a2c`: safe as a database-name prefix and as a RabbitMQ name prefix. */
  id: string;
  amqpUrl: string;
  /** Creates an empty database for `service` and returns its URL. */
  createDatabase(service: string): Promise<string>;
  /** Drops the namespace's databases and deletes its RabbitMQ queues and exchanges. Stop its services first. */
  drop(): Promise<void>;
}

export interface NamespaceOptions {
  /** When the namespace says it was made (default now). Tests of the sweep make one that looks old. */
  createdAt?: Date;
}

/** PostgreSQL cuts longer identifiers short without a word, and two services could then share a database. */
const MAX_DATABASE_NAME = 63;

export async function createNamespace(lab: string, options: NamespaceOptions = {}): Promise<Namespace> {
  const id = newNamespaceId(lab.slice(0, 12), options.createdAt ?? new Date(), randomBytes(3).toString('hex'));
  const { databaseUrl: adminUrl, amqpUrl } = serviceUrls();
  return {
    id,
    amqpUrl,
    async createDatabase(service) {
      const name = `${id}_${service.replace(/\W/g, '_')}`.toLowerCase();
      if (name.length > MAX_DATABASE_NAME) throw new Error(`database name ${name} is longer than ${MAX_DATABASE_NAME} characters: use a shorter service name`);
      // Identifiers cannot be query parameters; the name is built from [a-z0-9_] only, so quoting is enough.
      await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    drop: () => removeNamespace(id),
  };
}

/**
 * Removes every database and every RabbitMQ queue and exchange of namespace `id`. Nothing of a namespace
 * expires on its own (a dead-letter queue must not lose its messages), so this is the only way they go.
 */
export async function removeNamespace(id: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const adminUrl = serviceUrls(env).databaseUrl;
  // All of them, not only those this process created: a crashed run's leftovers are swept the same way.
  const names = await withAdminClient(adminUrl, async (c) =>
    (await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`${id}_`])).rows.map((r) => r.datname),
  );
  // Side by side, each on its own connection: every DROP DATABASE waits for a checkpoint, and drops that
  // wait at the same moment share one, so a world's teardown costs about one checkpoint instead of four.
  await Promise.all(
    names.map((name) =>
      withAdminClient(adminUrl, async (c) => {
        // A logical replication slot (lab 02b) pins its database: drop the namespace's slots first.
        await c.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`, [name]);
        await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1', [name]);
        // FORCE ends connections a SIGKILLed service left behind (PostgreSQL 13+).
        await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      }),
    ),
  );
  await rabbitAdmin(env).deleteNamespace(id);
}

export async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
