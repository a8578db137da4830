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
  /**
   * Every queue (with its consumer count) and exchange whose name starts with `start`, and the names the open
   * connections gave themselves (a Broker calls its connection `<service> (<prefix>)`). Statistics: a
   * connection or consumer shows up a few seconds late.
   */
  survey(start: string): Promise<{ queues: Array<{ name: string; consumers: number }>; exchanges: string[]; connections: string[] }>;
  /** Every queue whose name starts with `<prefix>.`, with its message and consumer counts (statistics, sampled). */
  queueStats(prefix: string): Promise<QueueStats[]>;
  /** The RabbitMQ version; throws ManagementApiUnavailableError when the API does not answer. */
  version(): Promise<string>;
}

/** One queue as the management API last sampled it. */
export interface QueueStats {
  name: string;
  /** Waiting to be delivered. */
  ready: number;
  /** Delivered to a consumer that has not acknowledged them yet. */
  unacked: number;
  consumers: number;
  /** A stream keeps every message for readers to come, so its count is history, not messages waiting. */
  stream: boolean;
}

/** The one-line fix for a management API that does not answer; `npm run doctor` prints it too. */
export const MANAGEMENT_API_FIX =
  'rabbitmq-plugins enable rabbitmq_management (docker compose and testcontainers use rabbitmq:3-management, which has it), or set RABBITMQ_MANAGEMENT_URL=http://user:pass@host:15672';

/** A 401: the plugin runs, but the user may not use it (a user without the `management` tag). */
const MANAGEMENT_USER_FIX =
  'give the user the management tag (rabbitmqctl set_user_tags <user> management), or set RABBITMQ_MANAGEMENT_URL=http://user:pass@host:15672 with one that has it';

/** One line: what did not answer, why, and the fix. The harness needs the API to tear namespaces down. */
export class ManagementApiUnavailableError extends Error {
  // Private fields, so that a test runner printing the error's own properties does not repeat the fix under it.
  readonly #reason: string;
  readonly #fix: string;
  constructor(url: string, reason: string) {
    const fix = reason.startsWith('HTTP 401') ? MANAGEMENT_USER_FIX : MANAGEMENT_API_FIX;
    super(`RabbitMQ's management API does not answer at ${url} (${reason}). Fix: ${fix}`);
    this.name = 'ManagementApiUnavailableError';
    this.#reason = reason;
    this.#fix = fix;
  }

  /** What went wrong: `ECONNREFUSED`, `HTTP 401 for GET api/overview`, ... */
  get reason(): string {
    return this.#reason;
  }

  get fix(): string {
    return this.#fix;
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

/** `timeoutMs` bounds each call: a failed check's diagnostic asks with a short one, so it cannot hang the run. */
export function rabbitAdmin(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5_000): RabbitAdmin {
  const base = managementUrl(env);
  const vhost = encodeURIComponent(decodeURIComponent(new URL(serviceUrls(env).amqpUrl).pathname.slice(1)) || '/');
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  const shown = `${base.protocol}//${base.host}`;

  const call = async (method: 'GET' | 'DELETE', path: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, `${shown}/`), { method, headers: { authorization: auth }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a timeout, ...).
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ManagementApiUnavailableError(shown, cause?.code ?? cause?.message ?? (error as Error).message);
    }
    if (method === 'DELETE' && response.status === 404) return undefined; // already gone
    if (!response.ok) throw new ManagementApiUnavailableError(shown, `HTTP ${response.status} for ${method} ${path}`);
    return method === 'GET' ? response.json() : undefined;
  };
  const list = async <Row>(kind: 'queues' | 'exchanges' | 'connections', columns: string): Promise<Row[]> => {
    // Connections belong to the broker, not to a vhost; their API path takes no vhost.
    const path = kind === 'connections' ? `api/connections?columns=${columns}` : `api/${kind}/${vhost}?columns=${columns}`;
    return (await call('GET', path)) as Row[];
  };
  const names = async (kind: 'queues' | 'exchanges', prefix: string): Promise<string[]> => {
    const rows = await list<{ name: string }>(kind, 'name');
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
    async survey(start) {
      const [queues, exchanges, connections] = await Promise.all([
        list<{ name: string; consumers?: number }>('queues', 'name,consumers'),
        list<{ name: string }>('exchanges', 'name'),
        list<{ user_provided_name?: string }>('connections', 'user_provided_name'),
      ]);
      return {
        queues: queues.filter((q) => q.name.startsWith(start)).map((q) => ({ name: q.name, consumers: q.consumers ?? 0 })),
        exchanges: exchanges.map((e) => e.name).filter((name) => name.startsWith(start)),
        connections: connections.flatMap((c) => (c.user_provided_name ? [c.user_provided_name] : [])),
      };
    },
    async queueStats(prefix) {
      type Row = { name: string; type?: string; messages_ready?: number; messages_unacknowledged?: number; consumers?: number };
      const rows = await list<Row>('queues', 'name,type,messages_ready,messages_unacknowledged,consumers');
      // A queue declared since the last sample has no counts yet: shown as 0, which it almost always is.
      return rows
        .filter((q) => q.name.startsWith(`${prefix}.`))
        .map((q) => ({ name: q.name, ready: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0, stream: q.type === 'stream' }));
    },
    async version() {
      const overview = (await call('GET', 'api/overview?columns=rabbitmq_version')) as { rabbitmq_version?: string };
      return overview.rabbitmq_version ?? 'unknown version';
    },
  };
}
