import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serviceUrls } from './services.ts';

/**
 * Everything one test file creates lives under one namespace: databases `<id>_<service>` and RabbitMQ
 * names prefixed `<id>.`. Files can then run in parallel without seeing each other's rows or messages,
 * and `drop()` leaves nothing behind.
 */
export interface Namespace {
  /** Like `kit_01_3f9a2c`: safe as a database-name prefix and as a RabbitMQ name prefix. */
  id: string;
  amqpUrl: string;
  /** Creates an empty database for `service` and returns its URL. */
  createDatabase(service: string): Promise<string>;
  drop(): Promise<void>;
}

export async function createNamespace(lab: string): Promise<Namespace> {
  const id = `kit_${lab.replace(/\W/g, '')}_${randomBytes(3).toString('hex')}`;
  const { databaseUrl: adminUrl, amqpUrl } = serviceUrls();
  const created: string[] = [];

  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    id,
    amqpUrl,
    async createDatabase(service) {
      const name = `${id}_${service.replace(/\W/g, '_')}`.toLowerCase();
      // Identifiers cannot be query parameters; the name is built from [a-z0-9_] only, so quoting is enough.
      await admin((c) => c.query(`CREATE DATABASE "${name}"`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async drop() {
      await admin(async (c) => {
        for (const name of created.splice(0)) {
          // A logical replication slot (lab 02b) pins its database: drop the namespace's slots first.
          await c.query(
            `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
            [name],
          );
          await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1', [name]);
          // FORCE ends connections a SIGKILLed service left behind (PostgreSQL 13+).
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      });
    },
  };
}
