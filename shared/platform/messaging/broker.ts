import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { createLogger, type Logger } from '../log.ts';
import { QueueConsumer, type ConsumerHost, type Handler } from './consumer.ts';
import { encode, routingKeyFor, type OutgoingMessage, type PayloadSchema } from './envelope.ts';
import { CountingEmitter } from './events.ts';
import { prefixed } from './names.ts';
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
}

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

/** Thrown by `publishMany` when some messages were not confirmed; the others were. */
export class PublishManyError extends Error {
  constructor(
    readonly failedIds: string[],
    readonly firstError: Error,
  ) {
    super(`${failedIds.length} message(s) not confirmed by RabbitMQ (${failedIds.slice(0, 5).join(', ')}…): ${firstError.message}`, { cause: firstError });
    this.name = 'PublishManyError';
  }
}

export async function connectBroker(options: BrokerOptions): Promise<Broker> {
  const broker = new Broker(options);
  await broker.start();
  return broker;
}

/**
 * The kit's small RabbitMQ layer: confirmed publishing, a retry and a dead-letter queue per queue, and a
 * connection that heals itself. It is an EventEmitter that counts, so a test can `await broker.waitFor('acked', 1)`.
 */
export class Broker extends CountingEmitter {
  readonly prefix: string;
  readonly service: string;
  private readonly logger: Logger;
  private connection: ChannelModel | undefined;
  private publishChannel: Promise<ConfirmChannel> | undefined;
  private closing = false;
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
   * Resolves once RabbitMQ confirmed the message (it is persisted in every queue it was routed to). Beware
   * RabbitMQ's rule: a message that matches no binding is confirmed too, and dropped. Declare the consuming
   * queues (declareTopology) before anything is published.
   */
  async publish(exchange: string, message: OutgoingMessage): Promise<void> {
    const channel = await this.currentPublishChannel(`publish ${message.type} ${message.id}`);
    const what = `message ${message.id} (${message.type}) to exchange ${prefixed(this.prefix, exchange)}`;
    await confirmed(channel, what, (done) => this.send(channel, exchange, message, done));
  }

  /**
   * Publishes a batch without waiting between messages, then waits for every confirm: one round trip for
   * the batch instead of one per message. An outbox relay marks rows published only after this resolves;
   * when it rejects, `failedIds` says which were not confirmed (the relay may just send the batch again:
   * consumers absorb duplicates).
   */
  async publishMany(exchange: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const channel = await this.currentPublishChannel(`publish a batch of ${messages.length}`);
    const failedIds: string[] = [];
    let firstError: unknown;
    // One promise for the batch, settled by counting confirm callbacks, rather than a promise (and its
    // error wrapping) per message: a relay publishes thousands per second, and its CPU is shared with
    // RabbitMQ and PostgreSQL.
    await new Promise<void>((resolve) => {
      let pending = messages.length;
      for (const message of messages) {
        this.send(channel, exchange, message, (error) => {
          if (error) {
            failedIds.push(message.id);
            firstError ??= error;
          }
          if (--pending === 0) resolve();
        });
      }
    });
    if (firstError !== undefined) {
      const why = firstError instanceof Error ? firstError : new Error('negatively acknowledged');
      throw new PublishManyError(failedIds, why);
    }
  }

  async declareTopology(topology: Topology): Promise<void> {
    const connection = this.requireConnection('declare topology');
    // A fresh channel, because a refused declaration (406) closes the channel it was made on.
    const channel = await connection.createChannel();
    try {
      await declareTopology(channel, this.prefix, topology);
    } finally {
      await channel.close().catch(() => {});
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
      await channel.close().catch(() => {});
    }
    this.exchanges.clear();
    this.queues.clear();
  }

  /** Stops consumers (letting the message in hand finish), then closes the connection. No reconnect after this. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.stopConsumers();
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    await connection?.close().catch(() => {});
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
    try {
      if (this.exchanges.size > 0 || this.queues.size > 0) {
        const channel = await connection.createChannel();
        await declareTopology(channel, this.prefix, { exchanges: [...this.exchanges], queues: [...this.queues.values()] });
        // Not awaited: if the connection dies before RabbitMQ answers the close, amqplib never settles it, and
        // this reconnect (the only one scheduled) would wait forever. A dead connection's channels go with it.
        channel.close().catch(() => {});
      }
      for (const consumer of this.consumers) await consumer.start(connection);
      if (closedEarly) throw new Error('the connection closed while it was being set up');
      if (this.closing) throw new Error('the broker was closed meanwhile');
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
    this.connection = connection;
  }

  private connectionClosed(connection: ChannelModel, error?: Error): void {
    if (this.connection !== connection) return; // one that never finished setting up, or an old one
    this.connection = undefined;
    this.publishChannel = undefined;
    if (this.closing) return;
    const why = error?.message ?? 'closed by the server';
    this.logger.warn({ error: why }, 'lost the connection to RabbitMQ; reconnecting');
    this.emit('disconnected', { error: why });
    this.scheduleReconnect(1, this.options.reconnect?.initialDelayMs ?? 100);
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

  // ---- publishing ----

  /** One confirm channel for all publishing, opened on first use and again after it closed. */
  private currentPublishChannel(what: string): Promise<ConfirmChannel> {
    const connection = this.requireConnection(what);
    if (!this.publishChannel) {
      const opening = connection.createConfirmChannel().then((channel) => {
        channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'publish channel error'));
        channel.on('close', () => {
          if (this.publishChannel === opening) this.publishChannel = undefined;
        });
        return channel;
      });
      opening.catch(() => {
        if (this.publishChannel === opening) this.publishChannel = undefined;
      });
      this.publishChannel = opening;
    }
    return this.publishChannel;
  }

  /** The one way a message goes out: encoded, published, and counted as `published` once RabbitMQ confirms it. */
  private send(channel: ConfirmChannel, exchange: string, message: OutgoingMessage, done: (error: unknown) => void): void {
    const routingKey = routingKeyFor(message);
    const { content, options } = encode(message, this.service);
    try {
      channel.publish(prefixed(this.prefix, exchange), routingKey, content, options, (error: unknown) => {
        if (!error) this.emit('published', { id: message.id, type: message.type, exchange, routingKey });
        done(error);
      });
    } catch (error) {
      // amqplib throws at once when the channel is already closed.
      done(error);
    }
  }

  private makeConsumerHost(): ConsumerHost {
    return {
      events: this,
      logger: this.logger,
      sendToQueueConfirmed: async (queue: string, content: Buffer, options: Options.Publish) => {
        const channel = await this.currentPublishChannel(`move a message to ${queue}`);
        await confirmed(channel, `message ${String(options.messageId)} to queue ${queue}`, (done) => channel.sendToQueue(queue, content, options, done));
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

/** Runs a publish with a confirm callback and turns it into a promise with a message that says what failed. */
function confirmed(channel: ConfirmChannel, what: string, send: (done: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error: unknown) => {
      if (!error) return resolve();
      const why = error instanceof Error ? error.message : 'negatively acknowledged';
      reject(new Error(`RabbitMQ did not confirm ${what}: ${why}`, { cause: error }));
    };
    try {
      send(done);
    } catch (error) {
      // amqplib throws at once when the channel is already closed.
      done(error);
    }
  });
}

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
