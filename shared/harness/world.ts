import pg from 'pg';
import { freePort, startService, type RunningService } from './child-service.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { httpCall, type HttpAnswer } from './http-call.ts';
import { startTap, type MessageTap } from './message-tap.ts';
import { createNamespace, type Namespace } from './namespace.ts';
import { watchQueuesOf } from './queue-report.ts';
import { serviceUrls } from './services.ts';
import { Timeline } from './timeline.ts';
import { WorldBroker } from './world-broker.ts';
import type { WorldAddresses, WorldOptions } from './world-options.ts';

export type { HttpAnswer };
export type { WorldAddresses, WorldOptions, WorldProxy, WorldService } from './world-options.ts';

/**
 * A lab's running system for graders, demos and benchmarks: services as child processes, each with its own
 * database in one namespace, RabbitMQ under the namespace's prefix, fault proxies, a message tap and a
 * timeline. It imports nothing from vitest: assertions stay in the graders.
 */
export class World {
  private readonly running = new Map<string, RunningService[]>();
  private readonly pools = new Map<string, pg.Pool>();
  private tapHandle: MessageTap | undefined;
  /** Set while the world runs: a failing check then shows where messages waited in its queues. */
  private unwatchQueues: (() => void) | undefined;

  private constructor(
    readonly options: WorldOptions,
    readonly ns: Namespace,
    readonly timeline: Timeline,
    readonly addresses: WorldAddresses,
    private readonly proxies: Map<string, FaultProxy>,
    /** Publishing, redelivering and the quiet test, over the namespace's RabbitMQ. */
    readonly broker: WorldBroker,
  ) {}

  static async start(options: WorldOptions): Promise<World> {
    const ns = await createNamespace(options.lab);
    const timeline = new Timeline();
    const proxies = new Map<string, FaultProxy>();
    const world = new World(options, ns, timeline, undefined as unknown as WorldAddresses, proxies, new WorldBroker(ns));
    world.unwatchQueues = watchQueuesOf(ns.id, () => world.broker.queueDepths());
    try {
      const databases = new Map<string, string>();
      const names = [...new Set(options.services.flatMap((s) => (s.database ? [s.database] : [])))];
      await Promise.all(names.map(async (name) => databases.set(name, await ns.createDatabase(name))));
      const ports = new Map<string, number>();
      await Promise.all(options.services.filter((s) => s.http !== false).map(async (s) => ports.set(s.name, await freePort())));
      const amqp = new URL(ns.amqpUrl);
      for (const proxy of options.proxies ?? []) {
        const target =
          proxy.to === 'rabbitmq'
            ? { host: amqp.hostname, port: Number(amqp.port || 5672) }
            : proxy.to === 'postgres'
              ? endpointOf(serviceUrls().databaseUrl, 5432)
              : { host: '127.0.0.1', port: known(ports, proxy.to.service, 'an HTTP service') };
        // A port from freePort, not the OS's pick: freePort never hands out a port twice, so a proxy cannot take
        // the port just chosen for a service that has not bound it yet.
        proxies.set(proxy.name, await startFaultProxy({ target, name: proxy.name, timeline, listenPort: await freePort() }));
      }
      (world as { addresses: WorldAddresses }).addresses = {
        port: (service) => known(ports, service, 'an HTTP service'),
        proxyPort: (proxy) => known(proxies, proxy, 'a proxy').port,
        databaseUrl: (database) => known(databases, database, 'a database'),
        amqpUrl: (via) => (via ? viaProxy(ns.amqpUrl, known(proxies, via, 'a proxy').port) : ns.amqpUrl),
        prefix: ns.id,
      };
      await Promise.all(options.services.filter((s) => s.start !== false).map((s) => world.launch(s.name)));
      if (options.tap) world.tapHandle = await startTap({ url: ns.amqpUrl, prefix: ns.id, exchanges: options.tap.exchanges, timeline });
      return world;
    } catch (error) {
      await world.stop().catch(() => {});
      throw error;
    }
  }

  /** The tap; only a world configured with `tap` has one. */
  get tap(): MessageTap {
    if (!this.tapHandle) throw new Error('this world has no message tap: configure one with `tap: { exchanges }`');
    return this.tapHandle;
  }

  /** The first instance of a service (restarts keep the handle). */
  service(name: string): RunningService {
    const first = this.running.get(name)?.[0];
    if (!first) throw new Error(`${name} has not been started in this world`);
    return first;
  }

  /** Every instance launched of a service, oldest first (relays run several). */
  instances(name: string): RunningService[] {
    return this.running.get(name) ?? [];
  }

  /** Starts one more instance of a configured service; `as` names it in logs (`relay-2`). */
  async launch(name: string, as = name): Promise<RunningService> {
    const spec = this.options.services.find((s) => s.name === name);
    if (!spec) throw new Error(`no service named ${name} in this world (it has ${this.options.services.map((s) => s.name).join(', ')})`);
    const a = this.addresses;
    const rabbit: Record<string, string> = spec.rabbitmq ? { AMQP_URL: a.amqpUrl(typeof spec.rabbitmq === 'object' ? spec.rabbitmq.via : undefined), KIT_PREFIX: a.prefix } : {};
    const env: Record<string, string> = {
      ...(spec.database ? { DATABASE_URL: a.databaseUrl(spec.database) } : {}),
      ...(spec.http !== false ? { PORT: String(a.port(name)) } : {}),
      ...rabbit,
      ...(typeof spec.env === 'function' ? spec.env(a) : spec.env),
    };
    const handle = await startService({ name: as, entry: spec.entry, env, readyMessage: spec.readyMessage, timeline: this.timeline });
    this.running.set(name, [...this.instances(name), handle]);
    return handle;
  }

  /** SIGKILLs the service's first instance: no shutdown hook runs. */
  kill(name: string): Promise<void> {
    return this.service(name).kill();
  }

  /** Kills it if it runs, then starts it again on the same port with the same environment. */
  async restart(name: string): Promise<RunningService> {
    return this.service(name).restart();
  }

  proxy(name: string): FaultProxy {
    return known(this.proxies, name, 'a proxy');
  }

  /** One query against one of the world's databases: the ground truth behind the services' APIs. */
  async query<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    let pool = this.pools.get(database);
    if (!pool) {
      pool = new pg.Pool({ connectionString: this.addresses.databaseUrl(database), max: 2 });
      pool.on('error', () => {}); // an idle client cut by a test's fault must not crash the grader
      this.pools.set(database, pool);
    }
    return (await pool.query<T>(sql, params)).rows;
  }

  /** One HTTP exchange with a service, with a deadline: no answer within `waitMs` is status 0, not a hang. */
  async call(service: string, method: string, url: string, body?: unknown, waitMs = 10_000): Promise<HttpAnswer> {
    const record = this.options.recordHttp !== false;
    if (record) this.timeline.record({ from: 'grader', to: service, label: `${method} ${url}` });
    const answer = await httpCall(this.addresses.port(service), method, url, body, waitMs);
    if (record) {
      const label = answer.status === 0 ? String(answer.body.error) : `${answer.status} ${String(answer.body.error ?? answer.body.state ?? '')}`.trim();
      this.timeline.record({ from: service, to: 'grader', label, failed: answer.status === 0 });
    }
    return answer;
  }

  /**
   * Whether the world is quiet now: nothing left to relay (every outbox of `outboxes` has no unpublished
   * row, or `relayed` says so, for a relay that keeps no such column) and every queue of the namespace
   * empty. Messages a consumer holds unacknowledged are invisible here: see `whileProgressing`, which also
   * asks that the effects stay unchanged for a window after quiet is first seen. False when something
   * cannot be read (the management API is off, a table is not there yet): then only stillness judges.
   */
  async quiet(relayed?: () => Promise<boolean>): Promise<boolean> {
    try {
      if (!(await this.outboxesEmpty()) && !(relayed && (await relayed()))) return false;
      if (!this.options.outboxes?.length && relayed && !(await relayed())) return false;
      const depths = await this.broker.queueDepths();
      return depths !== undefined && depths.every((q) => q.ready === 0);
    } catch {
      return false;
    }
  }

  private async outboxesEmpty(): Promise<boolean> {
    for (const db of this.options.outboxes ?? []) {
      const [row] = await this.query<{ n: number }>(db, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      if (row!.n > 0) return false;
    }
    return true;
  }

  /** Kills every process, closes proxies, tap and connections, and drops the namespace. */
  async stop(): Promise<void> {
    this.unwatchQueues?.();
    await Promise.all([...this.running.values()].flat().map((s) => s.kill()));
    await this.tapHandle?.stop().catch(() => {});
    await this.broker.close();
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => {})));
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    await this.ns.drop();
  }
}

/** Starts a world; see {@link World}. */
export function startWorld(options: WorldOptions): Promise<World> {
  return World.start(options);
}

function known<T>(map: Map<string, T>, name: string, what: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`${name} is not ${what} of this world (known: ${[...map.keys()].join(', ') || 'none'})`);
  return value;
}

function viaProxy(url: string, port: number): string {
  const through = new URL(url);
  through.hostname = '127.0.0.1';
  through.port = String(port);
  return through.toString();
}

function endpointOf(url: string, defaultPort: number) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}
