import { connect, type ChannelModel, type Message, type Options } from 'amqplib';
import { createLogger, type Logger } from '../log.ts';
import { QueueConsumer, type ConsumerHost, type Handler } from './consumer.ts';
import { encode, routingKeyFor, type OutgoingMessage, type PayloadSchema } from './envelope.ts';
import { CountingEmitter } from './events.ts';
import { prefixed } from './names.ts';
import { ConfirmTimeoutError, PublishChannel, UnroutableError, closeWithin } from './publishing.ts';
import { DEFAULT_MAX_ATTEMPTS, declareTopology, deleteTopology, type QueueSpec, type Topology } from './topology.ts';

export interface BrokerOptions {
  url: string;
  /** Namespace for every exchange and queue (`<prefix>.<name>`). `kit_…` marks a throwaway test namespace. */
  prefix: string;
  /** Who publishes: sent as the AMQP `appId` property, which the message tap draws on its timeline. */
  service: string;
  logger?: Logger;
  /** Reconnect backoff: starts at `initialDelayMs`, doubles up to `maxDelayMs` (defaults 100 ms and 2 s). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * How long a publish waits for RabbitMQ's confirms before it fails (default 10 s). A relay holds its row
   * locks while it waits; past the deadline its transaction rolls back and the rows are free for a retry.
   */
  confirmTimeoutMs?: number;
}

export const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;

export interface ConsumeOptions<S extends PayloadSchema | undefined> {
  /** A zod schema of the payload, or one per message type. A message that fails it is dead-lettered at once. */
  schema?: S;
  /** Attempts before dead-lettering (default: the queue's `maxAttempts`, else 5). */
  maxAttempts?: number;
  /**
   * How many messages are handled at once (default 1). Messages with the same key (`Delivered.key`, the
   * aggregate id) are still handled one after another, in the order they arrived; see QueueConsumer.
   */
  concurrency?: number;
  /**
   * Messages RabbitMQ sends ahead before we ack (default 10, or twice the concurrency if that is more). At least
   * the concurrency: a handler slot with no message to work on is wasted.
   */
  prefetch?: number;
}

export interface Consumer {
  /** Stops consuming once the messages in hand are done (and acked). */
  cancel(): Promise<void>;
}

/** Thrown by `publish` while the connection is down. Callers (an outbox relay) keep the message and retry. */
export class BrokerUnavailableError extends Error {
  constructor(what: string) {
    super(`${what}: the connection to RabbitMQ is down (reconnecting); nothing was published, try again later`);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * Thrown by `publishMany` when some messages were not published: refused, returned (no queue bound), or not
 * confirmed in time. The others were.
 */
export class PublishManyError extends Error {
  constructor(
    readonly failedIds: string[],
    readonly firstError: Error,
  ) {
    super(`${failedIds.length} message(s) not published (${failedIds.slice(0, 5).join(', ')}${failedIds.length > 5 ? ', …' : ''}): ${firstError.message}`, { cause: firstError });
    this.name = 'PublishManyError';
  }
}

export { ConfirmTimeoutError, UnroutableError };

export async function connectBroker(options: BrokerOptions): Promise<Broker> {
  const broker = new Broker(options);
  await broker.start();
  return broker;
}

/**
 * The kit's small RabbitMQ layer: publishing that succeeds only when RabbitMQ confirmed the message and a
 * queue took it (a message no queue is bound for fails; it is never confirmed and silently dropped), a retry
 * and a dead-letter queue per queue, and a connection that heals itself. It is an EventEmitter that counts,
 * so a test can `await broker.waitFor('acked', 1)`.
 */
export class Broker extends CountingEmitter {
  readonly prefix: string;
  readonly service: string;
  private readonly logger: Logger;
  private connection: ChannelModel | undefined;
  private publishChannel: { opening: Promise<PublishChannel>; ready?: PublishChannel } | undefined;
  private closing = false;
  private readonly confirmTimeoutMs: number;
  /** Why RabbitMQ blocked the connection, while it does (said in a confirm timeout's error). */
  private blocked: { reason: string; since: number } | undefined;
  /** Callers waiting for the connection to come back (a topology declaration cut short). */
  private readonly connectedWaiters = new Set<() => void>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  // What was declared and started, so it can all be redeclared and restarted after a reconnect.
  private readonly exchanges = new Set<string>();
  private readonly queues = new Map<string, QueueSpec>();
  private readonly consumers = new Set<QueueConsumer<PayloadSchema | undefined>>();
  private readonly consumerHost: ConsumerHost;

  constructor(private readonly options: BrokerOptions) {
    super();
    this.prefix = options.prefix;
    this.service = options.service;
    this.logger = options.logger ?? createLogger(options.service);
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
    this.consumerHost = this.makeConsumerHost();
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /** The first connection; `connectBroker` calls it. Unlike a reconnect, it fails at once when RabbitMQ is not there. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      throw new Error(`${this.service} could not connect to RabbitMQ at ${withoutPassword(this.options.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Resolves once RabbitMQ confirmed the message and routed it to at least one queue (it is persisted in
   * every queue it was routed to). Rejects when no queue is bound for it (RabbitMQ returns it: an
   * `UnroutableError` naming the exchange and routing key), when RabbitMQ refuses it, or when the confirm
   * does not come within `confirmTimeoutMs`.
   */
  async publish(exchange: string, message: OutgoingMessage): Promise<void> {
    const publishing = await this.currentPublishChannel(`publish ${message.type} ${message.id}`);
    const target = prefixed(this.prefix, exchange);
    const what = `message ${message.id} (${message.type}) to exchange ${target}`;
    try {
      await this.confirmed(what, (done) => this.send(publishing, exchange, target, message, done));
    } catch (error) {
      if (error instanceof UnroutableError) this.warnReturned([error]);
      throw error;
    }
  }

  /**
   * Publishes a batch without waiting between messages, then waits for every confirm: one round trip for
   * the batch instead of one per message. An outbox relay marks rows published only after this resolves;
   * when it rejects, `failedIds` says which were not published (returned, refused or not confirmed in
   * time; the relay may just send the batch again: consumers absorb duplicates).
   */
  async publishMany(exchange: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const publishing = await this.currentPublishChannel(`publish a batch of ${messages.length}`);
    const target = prefixed(this.prefix, exchange);
    const failedIds: string[] = [];
    const returned: UnroutableError[] = [];
    let firstError: unknown;
    // One promise and one timer for the batch, settled by counting confirm callbacks, rather than a promise
    // (and its error wrapping) per message: a relay publishes thousands per second, and its CPU is shared
    // with RabbitMQ and PostgreSQL.
    await new Promise<void>((resolve) => {
      let pending = messages.length;
      const confirmed = new Uint8Array(messages.length);
      const timer = setTimeout(() => {
        pending = -1; // later confirms change nothing: the batch has failed
        const late = messages.filter((_, i) => confirmed[i] === 0).map((m) => m.id);
        failedIds.push(...late);
        firstError ??= new ConfirmTimeoutError(`${late.length} of ${messages.length} message(s)`, this.confirmTimeoutMs, this.blocked?.reason);
        resolve();
      }, this.confirmTimeoutMs);
      messages.forEach((message, i) => {
        this.send(publishing, exchange, target, message, (error) => {
          if (pending < 0) return;
          confirmed[i] = 1;
          if (error) {
            failedIds.push(message.id);
            if (error instanceof UnroutableError) returned.push(error);
            firstError ??= error;
          }
          if (--pending === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    });
    if (returned.length > 0) this.warnReturned(returned);
    if (firstError !== undefined) {
      const why = firstError instanceof Error ? firstError : new Error('negatively acknowledged');
      throw new PublishManyError(failedIds, why);
    }
  }

  /**
   * Declares exchanges and queues (idempotent) and remembers them, so a reconnect declares them again. If
   * the connection drops meanwhile, it waits for the reconnect and declares again, instead of failing the
   * service's start-up; a declaration RabbitMQ refuses (406) on a live connection is thrown.
   */
  async declareTopology(topology: Topology): Promise<void> {
    for (;;) {
      const connection = this.requireConnection('declare topology');
      try {
        await this.declareOn(connection, topology);
        break;
      } catch (error) {
        if (this.connection === connection || this.closing) throw error;
        this.logger.warn({ error: (error as Error).message }, 'the connection to RabbitMQ dropped while declaring the topology; declaring it again once reconnected');
        await this.untilConnected();
      }
    }
    for (const exchange of topology.exchanges) this.exchanges.add(exchange);
    for (const queue of topology.queues) this.queues.set(queue.name, queue);
  }

  async consume<S extends PayloadSchema | undefined = undefined>(queue: string, handler: Handler<S>, options: ConsumeOptions<S> = {}): Promise<Consumer> {
    const spec = this.queues.get(queue);
    if (!spec) {
      // Without its retry and dead-letter queues, a failed message would be published to a queue that does
      // not exist, and RabbitMQ would drop it silently.
      throw new Error(`declare queue "${queue}" with declareTopology before consuming it (its retry and dead-letter queues must exist)`);
    }
    const concurrency = options.concurrency ?? 1;
    const prefetch = options.prefetch ?? Math.max(10, 2 * concurrency);
    if (prefetch < concurrency) {
      throw new Error(`consume ${queue}: prefetch (${prefetch}) must be at least the concurrency (${concurrency}), or RabbitMQ never sends enough messages to keep the handlers busy`);
    }
    const consumer = new QueueConsumer(
      {
        queue,
        prefix: this.prefix,
        handler,
        schema: options.schema as S,
        maxAttempts: options.maxAttempts ?? spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        concurrency,
        prefetch,
      },
      this.consumerHost,
    ) as unknown as QueueConsumer<PayloadSchema | undefined>;
    await consumer.start(this.requireConnection(`consume ${queue}`));
    this.consumers.add(consumer);
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  /** Deletes every exchange and queue this Broker declared. Tests call it in `afterAll`, before `close`. */
  async deleteTopology(): Promise<void> {
    await this.stopConsumers();
    const connection = this.requireConnection('delete topology');
    const channel = await connection.createChannel();
    try {
      await deleteTopology(channel, this.prefix, { exchanges: [...this.exchanges], queues: [...this.queues.values()] });
    } finally {
      await closeWithin(channel);
    }
    this.exchanges.clear();
    this.queues.clear();
  }

  /** Stops consumers (letting the message in hand finish), then closes the connection. No reconnect after this. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.wakeConnectedWaiters();
    await this.stopConsumers();
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (connection) await closeWithin(connection);
  }

  // ---- connection lifecycle ----

  /** Connects, redeclares what was declared and restarts consumers; only then is the connection in use. */
  private async open(): Promise<void> {
    const connection = await connect(this.options.url, {
      // Without noDelay, Nagle's algorithm holds small frames back: ~40 ms per confirm round trip.
      noDelay: true,
      clientProperties: { connection_name: `${this.service} (${this.prefix})` },
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
      if (this.exchanges.size > 0 || this.queues.size > 0) {
        await this.declareOn(connection, { exchanges: [...this.exchanges], queues: [...this.queues.values()] });
      }
      for (const consumer of this.consumers) await consumer.start(connection);
      if (closedEarly) throw new Error('the connection closed while it was being set up');
      if (this.closing) throw new Error('the broker was closed meanwhile');
    } catch (error) {
      await closeWithin(connection);
      throw error;
    }
    this.connection = connection;
    this.wakeConnectedWaiters();
  }

  /** Declares on a fresh channel, because a refused declaration (406) closes the channel it was made on. */
  private async declareOn(connection: ChannelModel, topology: Topology): Promise<void> {
    const channel = await connection.createChannel();
    try {
      await declareTopology(channel, this.prefix, topology);
    } finally {
      await closeWithin(channel);
    }
  }

  private connectionClosed(connection: ChannelModel, error?: Error): void {
    if (this.connection !== connection) return; // one that never finished setting up, or an old one
    this.connection = undefined;
    this.publishChannel = undefined;
    this.blocked = undefined;
    if (this.closing) return;
    const why = error?.message ?? 'closed by the server';
    this.logger.warn({ error: why }, 'lost the connection to RabbitMQ; reconnecting');
    this.emit('disconnected', { error: why });
    this.scheduleReconnect(1, this.options.reconnect?.initialDelayMs ?? 100);
  }

  private connectionBlocked(connection: ChannelModel, reason: string): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    this.blocked = { reason, since: Date.now() };
    this.logger.warn({ reason }, 'RabbitMQ blocked this connection (a resource alarm): publishes wait, and fail once their confirms are late');
    this.emit('blocked', { reason });
  }

  private connectionUnblocked(connection: ChannelModel): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    const blockedForMs = this.blocked ? Date.now() - this.blocked.since : 0;
    this.blocked = undefined;
    this.logger.info({ blockedForMs }, 'RabbitMQ unblocked this connection');
    this.emit('unblocked', { blockedForMs });
  }

  private scheduleReconnect(attempt: number, delayMs: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.open().then(
        () => {
          this.logger.info({ attempt }, 'reconnected to RabbitMQ');
          this.emit('reconnected', { attempts: attempt });
        },
        (error: Error) => {
          if (this.closing) return;
          this.logger.debug({ attempt, error: error.message }, 'reconnect attempt failed');
          const next = Math.min(delayMs * 2, this.options.reconnect?.maxDelayMs ?? 2_000);
          this.scheduleReconnect(attempt + 1, next);
        },
      );
    }, delayMs);
  }

  private requireConnection(what: string): ChannelModel {
    if (this.closing) throw new Error(`${what}: the broker is closed`);
    if (!this.connection) throw new BrokerUnavailableError(what);
    return this.connection;
  }

  /** Resolves once a connection is up again, or the broker is closed. */
  private untilConnected(): Promise<void> {
    if (this.connection || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.add(resolve));
  }

  private wakeConnectedWaiters(): void {
    for (const wake of this.connectedWaiters) wake();
    this.connectedWaiters.clear();
  }

  // ---- publishing ----

  /**
   * One confirm channel for all publishing, opened on first use and again after it closed. Opening it is a
   * round trip too, so it has the same deadline as a confirm: a relay holds its row locks meanwhile.
   */
  private async currentPublishChannel(what: string): Promise<PublishChannel> {
    const connection = this.requireConnection(what);
    if (this.publishChannel?.ready) return this.publishChannel.ready;
    if (!this.publishChannel) {
      const state: { opening: Promise<PublishChannel>; ready?: PublishChannel } = {
        opening: connection.createConfirmChannel().then((channel) => {
          channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'publish channel error'));
          channel.on('close', () => {
            if (this.publishChannel === state) this.publishChannel = undefined;
          });
          state.ready = new PublishChannel(channel, (error, message) => this.messageReturned(error, message));
          return state.ready;
        }),
      };
      state.opening.catch(() => {
        if (this.publishChannel === state) this.publishChannel = undefined;
      });
      this.publishChannel = state;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConfirmTimeoutError(`opening the publish channel (to ${what})`, this.confirmTimeoutMs, this.blocked?.reason)), this.confirmTimeoutMs);
    });
    try {
      return await Promise.race([this.publishChannel.opening, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The one way a message goes out: encoded, published `mandatory` (so RabbitMQ returns it when no queue is
   * bound for it, instead of confirming and dropping it), and counted as `published` once confirmed and not
   * returned.
   */
  private send(publishing: PublishChannel, exchange: string, target: string, message: OutgoingMessage, done: (error: unknown) => void): void {
    const routingKey = routingKeyFor(message);
    const { content, options } = encode(message, this.service);
    options.mandatory = true;
    try {
      publishing.channel.publish(target, routingKey, content, options, (error: unknown) => {
        const failure = error ?? publishing.takeReturn(message.id);
        if (!failure) this.emit('published', { id: message.id, type: message.type, exchange, routingKey });
        done(failure);
      });
    } catch (error) {
      // amqplib throws at once when the channel is already closed.
      done(error);
    }
  }

  /** Each returned message is counted; the log line is written once per publish call (see `warnReturned`). */
  private messageReturned(error: UnroutableError, message: Message): void {
    const exchange = error.exchange.startsWith(`${this.prefix}.`) ? error.exchange.slice(this.prefix.length + 1) : error.exchange;
    this.emit('returned', { id: error.messageId, type: String(message.properties.type), exchange, routingKey: error.routingKey });
  }

  /** One warning per failed publish or batch, not one per message: a relay retries a returned batch every few hundred ms. */
  private warnReturned(returned: UnroutableError[]): void {
    const [first] = returned;
    if (!first) return;
    this.logger.warn(
      { exchange: first.exchange, routingKey: first.routingKey, returned: returned.length, messageIds: returned.slice(0, 5).map((e) => e.messageId) },
      `RabbitMQ returned ${returned.length} message(s): no queue is bound to exchange "${first.exchange}" for routing key "${first.routingKey}"; they stay unpublished`,
    );
  }

  /** Runs one send and turns its confirm callback into a promise, with a deadline and a message that says what failed. */
  private confirmed(what: string, send: (done: (error: unknown) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ConfirmTimeoutError(what, this.confirmTimeoutMs, this.blocked?.reason)), this.confirmTimeoutMs);
      send((error: unknown) => {
        clearTimeout(timer);
        if (!error) return resolve();
        if (error instanceof UnroutableError) return reject(error);
        const why = error instanceof Error ? error.message : 'negatively acknowledged';
        reject(new Error(`RabbitMQ did not confirm ${what}: ${why}`, { cause: error }));
      });
    });
  }

  private makeConsumerHost(): ConsumerHost {
    return {
      events: this,
      logger: this.logger,
      sendToQueueConfirmed: async (queue: string, content: Buffer, options: Options.Publish) => {
        const publishing = await this.currentPublishChannel(`move a message to ${queue}`);
        // Mandatory too: a retry or dead-letter queue deleted by hand would otherwise swallow the message.
        const mandatory = { ...options, mandatory: true };
        await this.confirmed(`message ${String(options.messageId)} to queue ${queue}`, (done) => {
          try {
            publishing.channel.sendToQueue(queue, content, mandatory, (error: unknown) => done(error ?? publishing.takeReturn(options.messageId)));
          } catch (error) {
            done(error); // the channel is already closed
          }
        });
      },
      channelLost: (consumer) => {
        // Wait a moment: when the whole connection is going down, its channels close first, and the
        // reconnect (not this) restarts the consumer. Only a channel error on a live connection gets here.
        const connection = this.connection;
        setTimeout(() => {
          if (!connection || this.connection !== connection || this.closing || !this.consumers.has(consumer)) return;
          this.logger.warn({ queue: consumer.spec.queue }, 'consumer channel closed; restarting the consumer');
          consumer.start(connection).catch((error: Error) => this.logger.error({ err: error, queue: consumer.spec.queue }, 'could not restart the consumer'));
        }, 100);
      },
    };
  }

  private async stopConsumers(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }
}

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
