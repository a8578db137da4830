/** How a world is described: its services, proxies and tap, and the addresses a service's environment may use. */

/** What a service's environment may refer to: the world's addresses, known before any process starts. */
export interface WorldAddresses {
  /** The HTTP port of a service (it gets it as PORT). */
  port(service: string): number;
  /** The port a fault proxy listens on (point a client here instead of at the proxied target). */
  proxyPort(proxy: string): number;
  databaseUrl(database: string): string;
  /** The namespace's RabbitMQ URL, or the same URL through a proxy. */
  amqpUrl(via?: string): string;
  /** The namespace's RabbitMQ prefix (a service gets it as KIT_PREFIX). */
  prefix: string;
}

export interface WorldService {
  /** `order-service`: in logs, timelines, and as the handle's key. */
  name: string;
  /** Absolute path of its `index.ts`. */
  entry: string;
  /** The database it gets as DATABASE_URL, created empty in the namespace; services that name the same one share it. */
  database?: string;
  /** An HTTP service gets a free port as PORT (default true). */
  http?: boolean;
  /** Gets AMQP_URL and KIT_PREFIX; `{ via }` names the proxy it reaches RabbitMQ through. */
  rabbitmq?: boolean | { via: string };
  env?: Record<string, string> | ((world: WorldAddresses) => Record<string, string>);
  /** The log line that says it is ready (default `listening`). */
  readyMessage?: string;
  /** false: configured only; `world.launch(name)` starts it (and more instances of it) later. */
  start?: boolean;
}

/** A fault proxy in front of a service's HTTP port, or of RabbitMQ or PostgreSQL. */
export interface WorldProxy {
  name: string;
  to: { service: string } | 'rabbitmq' | 'postgres';
}

export interface WorldOptions {
  /** Names the namespace (`kit_02_…`). */
  lab: string;
  services: WorldService[];
  proxies?: WorldProxy[];
  /** A message tap on these exchanges (base names), started after the services. */
  tap?: { exchanges: string[] };
  /**
   * Databases with an outbox table (`published_at` NULL until relayed): the world is not quiet while one of
   * them holds an unpublished row.
   */
  outboxes?: string[];
  /** Draw every HTTP call of `world.call` on the timeline (default true; a chaos test's thousand calls would bury the story). */
  recordHttp?: boolean;
}
