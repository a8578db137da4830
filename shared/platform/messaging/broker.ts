import type { ChannelModel } from 'amqplib';
import { createLogger, type Logger } from '../log.ts';
import { BrokerConnection } from './connection.ts';
import { ConsumerSet, type ConsumeOptions, type Consumer } from './consumer-set.ts';
import type { Handler } from './consumer.ts';
import type { OutgoingMessage, PayloadSchema } from './envelope.ts';
import { CountingEmitter } from './events.ts';
import { Publisher } from './publisher.ts';
import { closeWithin } from './publishing.ts';
import { declareTopology, deleteTopology, type QueueSpec, type Topology } from './topology.ts';

// The Broker is the one entry point; its parts live beside it: connection.ts (reconnecting), publisher.ts
// (confirmed publishing), consumer-set.ts (the consumers it runs). What they export for callers is
// re-exported here, so `import … from './messaging/broker.ts'` keeps working.
export { BrokerUnavailableError } from './connection.ts';
export type { ConsumeOptions, Consumer } from './consumer-set.ts';
export { ConfirmTimeoutError, PublishManyError, UnroutableError } from './publishing.ts';

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
  private readonly link: BrokerConnection;
  private readonly publisher: Publisher;
  private readonly consumers: ConsumerSet;
  // What was declared, so a reconnect can declare it all again (and deleteTopology delete it).
  private readonly exchanges = new Set<string>();
  private readonly queues = new Map<string, QueueSpec>();

  constructor(options: BrokerOptions) {
    super();
    this.prefix = options.prefix;
    this.service = options.service;
    this.logger = options.logger ?? createLogger(options.service);
    const hooks = { setUp: (connection: ChannelModel) => this.setUp(connection), lost: () => this.publisher.forgetChannel() };
    this.link = new BrokerConnection(options, hooks, this, this.logger);
    const confirmTimeoutMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
    this.publisher = new Publisher({ prefix: this.prefix, service: this.service, confirmTimeoutMs }, this.link, this, this.logger);
    this.consumers = new ConsumerSet(this.prefix, this.link, this.publisher, this, this.logger);
  }

  get connected(): boolean {
    return this.link.current !== undefined;
  }

  /** The first connection; `connectBroker` calls it. Unlike a reconnect, it fails at once when RabbitMQ is not there. */
  start(): Promise<void> {
    return this.link.start();
  }

  /**
   * Resolves once RabbitMQ confirmed the message and routed it to at least one queue (it is persisted in
   * every queue it was routed to). Rejects when no queue is bound for it (RabbitMQ returns it: an
   * `UnroutableError` naming the exchange and routing key), when RabbitMQ refuses it, or when the confirm
   * does not come within `confirmTimeoutMs`.
   */
  publish(exchange: string, message: OutgoingMessage): Promise<void> {
    return this.publisher.publish(exchange, message);
  }

  /**
   * Publishes a batch without waiting between messages, then waits for every confirm: one round trip for
   * the batch instead of one per message. An outbox relay marks rows published only after this resolves;
   * when it rejects, `failedIds` says which were not published (returned, refused or not confirmed in
   * time; the relay may just send the batch again: consumers absorb duplicates).
   */
  publishMany(exchange: string, messages: OutgoingMessage[]): Promise<void> {
    return this.publisher.publishMany(exchange, messages);
  }

  /**
   * Declares exchanges and queues (idempotent) and remembers them, so a reconnect declares them again. If
   * the connection drops meanwhile, it waits for the reconnect and declares again, instead of failing the
   * service's start-up; a declaration RabbitMQ refuses (406) on a live connection is thrown.
   */
  async declareTopology(topology: Topology): Promise<void> {
    for (;;) {
      const connection = this.link.require('declare topology');
      try {
        await this.declareOn(connection, topology);
        break;
      } catch (error) {
        if (this.link.current === connection || this.link.isClosing) throw error;
        this.logger.warn({ error: (error as Error).message }, 'the connection to RabbitMQ dropped while declaring the topology; declaring it again once reconnected');
        await this.link.untilConnected();
      }
    }
    for (const exchange of topology.exchanges) this.exchanges.add(exchange);
    for (const queue of topology.queues) this.queues.set(queue.name, queue);
  }

  consume<S extends PayloadSchema | undefined = undefined>(queue: string, handler: Handler<S>, options: ConsumeOptions<S> = {}): Promise<Consumer> {
    return this.consumers.consume(queue, this.queues.get(queue), handler, options);
  }

  /** Deletes every exchange and queue this Broker declared. Tests call it in `afterAll`, before `close`. */
  async deleteTopology(): Promise<void> {
    await this.consumers.stopAll();
    const connection = this.link.require('delete topology');
    const channel = await connection.createChannel();
    try {
      await deleteTopology(channel, this.prefix, { exchanges: [...this.exchanges], queues: [...this.queues.values()] });
    } finally {
      await closeWithin(channel);
    }
    this.exchanges.clear();
    this.queues.clear();
  }

  /**
   * Stops consumers (letting the messages in hand finish, for up to their `stopDeadlineMs`), then closes the
   * connection. No reconnect after this.
   */
  async close(): Promise<void> {
    this.link.stopReconnecting();
    await this.consumers.stopAll();
    this.publisher.forgetChannel();
    await this.link.close();
  }

  /** On every new connection, before it is in use: redeclares what was declared and restarts the consumers. */
  private async setUp(connection: ChannelModel): Promise<void> {
    if (this.exchanges.size > 0 || this.queues.size > 0) {
      await this.declareOn(connection, { exchanges: [...this.exchanges], queues: [...this.queues.values()] });
    }
    await this.consumers.startAll(connection);
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
}
