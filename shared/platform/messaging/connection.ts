import { connect, type ChannelModel } from 'amqplib';
import type { Logger } from '../log.ts';
import type { CountingEmitter } from './events.ts';
import { closeWithin } from './publishing.ts';

/** Thrown by `publish` while the connection is down. Callers (an outbox relay) keep the message and retry. */
export class BrokerUnavailableError extends Error {
  constructor(what: string) {
    super(`${what}: the connection to RabbitMQ is down (reconnecting); nothing was published, try again later`);
    this.name = 'BrokerUnavailableError';
  }
}

export interface ConnectionSettings {
  url: string;
  service: string;
  prefix: string;
  /** Reconnect backoff: starts at `initialDelayMs`, doubles up to `maxDelayMs` (defaults 100 ms and 2 s). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

/** What the Broker does around each connection: set it up before it is used, forget what lived on a lost one. */
export interface ConnectionHooks {
  /** Redeclares what was declared and restarts consumers on a new connection, before it is put in use. */
  setUp(connection: ChannelModel): Promise<void>;
  /** The connection in use is gone: drop what was opened on it (the publish channel). */
  lost(): void;
}

/**
 * The Broker's connection to RabbitMQ, which heals itself: when it drops, it reconnects with a doubling
 * backoff, and a new connection is only put in use once `setUp` redeclared the topology and restarted the
 * consumers on it. It also remembers why RabbitMQ blocked it, for the error of a confirm that came too late.
 */
export class BrokerConnection {
  private connection: ChannelModel | undefined;
  private closing = false;
  /** Why RabbitMQ blocked the connection, while it does (said in a confirm timeout's error). */
  private blocked: { reason: string; since: number } | undefined;
  /** Callers waiting for the connection to come back (a topology declaration cut short). */
  private readonly connectedWaiters = new Set<() => void>();
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly hooks: ConnectionHooks,
    private readonly events: CountingEmitter,
    private readonly logger: Logger,
  ) {}

  /** The connection in use; undefined while it is down (reconnecting) or closed. */
  get current(): ChannelModel | undefined {
    return this.connection;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  get blockedReason(): string | undefined {
    return this.blocked?.reason;
  }

  /** The first connection. Unlike a reconnect, it fails at once when RabbitMQ is not there. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      throw new Error(`${this.settings.service} could not connect to RabbitMQ at ${withoutPassword(this.settings.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  require(what: string): ChannelModel {
    if (this.closing) throw new Error(`${what}: the broker is closed`);
    if (!this.connection) throw new BrokerUnavailableError(what);
    return this.connection;
  }

  /** Resolves once a connection is up again, or the broker is closed. */
  untilConnected(): Promise<void> {
    if (this.connection || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.add(resolve));
  }

  /** First half of a close: no reconnect from now on, and nobody waits for one. */
  stopReconnecting(): void {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.wakeConnectedWaiters();
  }

  /** Second half, once the consumers are stopped: closes the connection. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await closeWithin(connection);
  }

  /** Connects and sets the connection up; only then is it in use. */
  private async open(): Promise<void> {
    const connection = await connect(this.settings.url, {
      // Without noDelay, Nagle's algorithm holds small frames back: ~40 ms per confirm round trip.
      noDelay: true,
      clientProperties: { connection_name: `${this.settings.service} (${this.settings.prefix})` },
    });
    let closedEarly = false;
    connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'RabbitMQ connection error'));
    connection.on('close', (error?: Error) => {
      closedEarly = true;
      this.connectionClosed(connection, error);
    });
    connection.on('blocked', (reason: string) => this.connectionBlocked(connection, reason));
    connection.on('unblocked', () => this.connectionUnblocked(connection));
    try {
      await this.hooks.setUp(connection);
      if (closedEarly) throw new Error('the connection closed while it was being set up');
      if (this.closing) throw new Error('the broker was closed meanwhile');
    } catch (error) {
      await closeWithin(connection);
      throw error;
    }
    this.connection = connection;
    this.wakeConnectedWaiters();
  }

  private connectionClosed(connection: ChannelModel, error?: Error): void {
    if (this.connection !== connection) return; // one that never finished setting up, or an old one
    this.connection = undefined;
    this.hooks.lost();
    this.blocked = undefined;
    if (this.closing) return;
    const why = error?.message ?? 'closed by the server';
    this.logger.warn({ error: why }, 'lost the connection to RabbitMQ; reconnecting');
    this.events.emit('disconnected', { error: why });
    this.scheduleReconnect(1, this.settings.reconnect?.initialDelayMs ?? 100);
  }

  private connectionBlocked(connection: ChannelModel, reason: string): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    this.blocked = { reason, since: Date.now() };
    this.logger.warn({ reason }, 'RabbitMQ blocked this connection (a resource alarm): publishes wait, and fail once their confirms are late');
    this.events.emit('blocked', { reason });
  }

  private connectionUnblocked(connection: ChannelModel): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    const blockedForMs = this.blocked ? Date.now() - this.blocked.since : 0;
    this.blocked = undefined;
    this.logger.info({ blockedForMs }, 'RabbitMQ unblocked this connection');
    this.events.emit('unblocked', { blockedForMs });
  }

  private scheduleReconnect(attempt: number, delayMs: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.open().then(
        () => {
          this.logger.info({ attempt }, 'reconnected to RabbitMQ');
          this.events.emit('reconnected', { attempts: attempt });
        },
        (error: Error) => {
          if (this.closing) return;
          this.logger.debug({ attempt, error: error.message }, 'reconnect attempt failed');
          const next = Math.min(delayMs * 2, this.settings.reconnect?.maxDelayMs ?? 2_000);
          this.scheduleReconnect(attempt + 1, next);
        },
      );
    }, delayMs);
  }

  private wakeConnectedWaiters(): void {
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
  }
}

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
