import { serviceUrls } from './services.ts';

/**
 * RabbitMQ's management HTTP API, for what AMQP cannot do: list the queues and exchanges of a test
 * namespace (a namespace's services declare them in child processes the harness does not see), and delete
 * them at teardown. The plugin ships with RabbitMQ (`rabbitmq-plugins enable rabbitmq_management`) and the
 * `rabbitmq:3-management` image used by docker-compose.yml and testcontainers has it on.
 *
 * Its message counts lag by a second or more (they are statistics, sampled): never judge "the queue is
 * empty" from them. A passive queue declare over AMQP answers the ready count as it is now.
 */
export interface RabbitAdmin {
  /** Every queue whose name starts with `<prefix>.`. */
  queues(prefix: string): Promise<string[]>;
  /** Every exchange whose name starts with `<prefix>.`. */
  exchanges(prefix: string): Promise<string[]>;
  /** Deletes every queue and exchange of the namespace; returns how many of each went. */
  deleteNamespace(prefix: string): Promise<{ queues: number; exchanges: number }>;
}

export class ManagementApiUnavailableError extends Error {
  constructor(url: string, why: string) {
    super(
      `RabbitMQ's management API does not answer at ${url} (${why}). Enable it with: rabbitmq-plugins enable rabbitmq_management ` +
        '(docker compose uses rabbitmq:3-management, which has it), or set RABBITMQ_MANAGEMENT_URL.',
    );
    this.name = 'ManagementApiUnavailableError';
  }
}

/**
 * `RABBITMQ_MANAGEMENT_URL` if set (credentials in it, like http://guest:guest@host:15672), else the AMQP URL's
 * host and credentials on port 15672.
 */
export function managementUrl(env: NodeJS.ProcessEnv = process.env): URL {
  if (env.RABBITMQ_MANAGEMENT_URL) return new URL(env.RABBITMQ_MANAGEMENT_URL);
  const amqp = new URL(serviceUrls(env).amqpUrl);
  const url = new URL(`http://${amqp.hostname}:15672/`);
  url.username = amqp.username || 'guest';
  url.password = amqp.password || 'guest';
  return url;
}

export function rabbitAdmin(env: NodeJS.ProcessEnv = process.env): RabbitAdmin {
  const base = managementUrl(env);
  const vhost = encodeURIComponent(decodeURIComponent(new URL(serviceUrls(env).amqpUrl).pathname.slice(1)) || '/');
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  const shown = `${base.protocol}//${base.host}`;

  const call = async (method: 'GET' | 'DELETE', path: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, `${shown}/`), { method, headers: { authorization: auth }, signal: AbortSignal.timeout(5_000) });
    } catch (error) {
      throw new ManagementApiUnavailableError(shown, (error as Error).message);
    }
    if (method === 'DELETE' && response.status === 404) return undefined; // already gone
    if (!response.ok) throw new ManagementApiUnavailableError(shown, `HTTP ${response.status} for ${method} ${path}`);
    return method === 'GET' ? response.json() : undefined;
  };
  const names = async (kind: 'queues' | 'exchanges', prefix: string): Promise<string[]> => {
    const rows = (await call('GET', `api/${kind}/${vhost}?columns=name`)) as Array<{ name: string }>;
    return rows.map((r) => r.name).filter((name) => name.startsWith(`${prefix}.`));
  };

  return {
    queues: (prefix) => names('queues', prefix),
    exchanges: (prefix) => names('exchanges', prefix),
    async deleteNamespace(prefix) {
      const [queues, exchanges] = await Promise.all([names('queues', prefix), names('exchanges', prefix)]);
      await Promise.all(queues.map((q) => call('DELETE', `api/queues/${vhost}/${encodeURIComponent(q)}`)));
      await Promise.all(exchanges.map((e) => call('DELETE', `api/exchanges/${vhost}/${encodeURIComponent(e)}`)));
      return { queues: queues.length, exchanges: exchanges.length };
    },
  };
}
