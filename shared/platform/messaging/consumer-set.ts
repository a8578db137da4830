import type { ChannelModel } from 'amqplib';
import type { Logger } from '../log.ts';
import type { BrokerConnection } from './connection.ts';
import { DEFAULT_STOP_DEADLINE_MS, QueueConsumer, type ConsumerHost, type Handler } from './consumer.ts';
import type { PayloadSchema } from './envelope.ts';
import type { CountingEmitter } from './events.ts';
import type { Publisher } from './publisher.ts';
import { DEFAULT_MAX_ATTEMPTS, type QueueSpec } from './topology.ts';

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
  /**
   * How long stopping (`cancel`, `Broker.close`) waits for handlers in progress before it closes the channel
   * anyway (default 5 s). Their messages stay unacked, so RabbitMQ redelivers them.
   */
  stopDeadlineMs?: number;
}

export interface Consumer {
  /** Stops consuming once the messages in hand are done (and acked), or after `stopDeadlineMs` at the latest. */
  cancel(): Promise<void>;
}

/**
 * The consumers one Broker runs, remembered so that each is restarted on the new connection after a
 * reconnect, or on the same one after a channel error, and stopped when the Broker closes.
 */
export class ConsumerSet {
  private readonly consumers = new Set<QueueConsumer<PayloadSchema | undefined>>();
  private readonly host: ConsumerHost;

  constructor(
    private readonly prefix: string,
    private readonly link: BrokerConnection,
    publisher: Publisher,
    events: CountingEmitter,
    private readonly logger: Logger,
  ) {
    this.host = {
      events,
      logger,
      sendToQueueConfirmed: (queue, content, options) => publisher.sendToQueueConfirmed(queue, content, options),
      channelLost: (consumer) => this.channelLost(consumer),
    };
  }

  /** `declared` is the queue as given to `declareTopology`, or undefined if it never was. */
  async consume<S extends PayloadSchema | undefined>(queue: string, declared: QueueSpec | undefined, handler: Handler<S>, options: ConsumeOptions<S>): Promise<Consumer> {
    if (!declared) {
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
        maxAttempts: options.maxAttempts ?? declared.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        concurrency,
        prefetch,
        stopDeadlineMs: options.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS,
      },
      this.host,
    ) as unknown as QueueConsumer<PayloadSchema | undefined>;
    await consumer.start(this.link.require(`consume ${queue}`));
    this.consumers.add(consumer);
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  /** After a reconnect, before the new connection is in use. */
  async startAll(connection: ChannelModel): Promise<void> {
    for (const consumer of this.consumers) await consumer.start(connection);
  }

  async stopAll(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }

  private channelLost(consumer: QueueConsumer<PayloadSchema | undefined>): void {
    // Wait a moment: when the whole connection is going down, its channels close first, and the
    // reconnect (not this) restarts the consumer. Only a channel error on a live connection gets here.
    const connection = this.link.current;
    setTimeout(() => {
      if (!connection || this.link.current !== connection || this.link.isClosing || !this.consumers.has(consumer)) return;
      this.logger.warn({ queue: consumer.spec.queue }, 'consumer channel closed; restarting the consumer');
      consumer.start(connection).catch((error: Error) => this.logger.error({ err: error, queue: consumer.spec.queue }, 'could not restart the consumer'));
    }, 100);
  }
}
