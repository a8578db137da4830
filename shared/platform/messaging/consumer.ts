import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../log.ts';
import { HEADER, decode, type Decoded, type DeliveredFor, type PayloadSchema } from './envelope.ts';
import type { CountingEmitter, DeadReason } from './events.ts';
import { KeyedRunner } from './keyed-runner.ts';
import { prefixed, queueNames, type QueueNames } from './names.ts';

export type Handler<S extends PayloadSchema | undefined> = (message: DeliveredFor<S>) => Promise<void> | void;

/**
 * How long `stop` waits for the handlers in progress before it closes the channel anyway. A handler stuck
 * (on a row lock held elsewhere, say) must not hang a service's shutdown forever; its message is not lost,
 * since it stays unacked and RabbitMQ redelivers it once the channel is closed.
 */
export const DEFAULT_STOP_DEADLINE_MS = 5_000;

export interface ConsumerSpec<S extends PayloadSchema | undefined> {
  /** Queue base name. */
  queue: string;
  prefix: string;
  handler: Handler<S>;
  schema: S;
  maxAttempts: number;
  /** Messages handled at once; never two of one key at once. */
  concurrency: number;
  /** At least `concurrency`, or some handlers would wait for messages RabbitMQ holds back. */
  prefetch: number;
  /** How long `stop` waits for handlers in progress (see DEFAULT_STOP_DEADLINE_MS). */
  stopDeadlineMs: number;
}

/** What a consumer needs from the Broker that owns it. */
export interface ConsumerHost {
  events: CountingEmitter;
  logger: Logger;
  /** Sends straight to a queue and resolves only once RabbitMQ confirmed it (or rejects). */
  sendToQueueConfirmed(queue: string, content: Buffer, options: Options.Publish): Promise<void>;
  /** Called when the channel closed while its connection is still up (a channel error), so it can restart. */
  channelLost(consumer: QueueConsumer<PayloadSchema | undefined>): void;
}

/**
 * Reads one queue on its own channel (so its prefetch is its own, and a channel error here does not take
 * other consumers down).
 *
 * Up to `concurrency` messages are handled at once (1 by default), partitioned by key: two messages with the
 * same key (the aggregate id, e.g. the order) are never handled at once, and they are handled in the order
 * they arrived, so the events of one order are applied as they were published. Messages of different keys
 * may finish in any order; with a concurrency of 1 everything goes in arrival order. One exception, at any
 * concurrency: a retry reorders. A failed message comes back from the retry queue after the messages of its
 * key that arrived meanwhile, so handlers must cope with that (reject a step that comes too early, or make it
 * commute).
 */
export class QueueConsumer<S extends PayloadSchema | undefined> {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopped = false;
  private readonly names: QueueNames;
  // Kept across reconnects: messages of the old channel still being handled keep their place before the
  // redelivered copies of their key.
  private readonly runner: KeyedRunner;

  constructor(
    readonly spec: ConsumerSpec<S>,
    private readonly host: ConsumerHost,
  ) {
    this.names = queueNames(prefixed(spec.prefix, spec.queue));
    this.runner = new KeyedRunner(spec.concurrency, (error) => host.logger.error({ err: error, queue: spec.queue }, 'message handling failed unexpectedly; it stays unacked'));
  }

  /** Starts (or, after a reconnect, restarts) consuming on the given connection. */
  async start(connection: ChannelModel): Promise<void> {
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) => this.host.logger.warn({ err: error, queue: this.spec.queue }, 'consumer channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.stopped) this.host.channelLost(this as QueueConsumer<PayloadSchema | undefined>);
    });
    await channel.prefetch(this.spec.prefetch);
    this.channel = channel;
    const { consumerTag } = await channel.consume(this.names.main, (raw) => {
      if (raw === null) {
        // RabbitMQ cancelled us: the queue was deleted.
        this.host.logger.warn({ queue: this.spec.queue }, 'consumer cancelled by RabbitMQ (queue deleted?)');
        return;
      }
      const decoded = decode(raw, this.spec.schema, this.spec.queue);
      // A poison message has no trustworthy key; it goes with the keyless ones, and straight to dead letters.
      const key = decoded.ok ? decoded.message.key : undefined;
      this.runner.add(key ?? '', () => this.handle(channel, raw, decoded));
    });
    this.consumerTag = consumerTag;
  }

  /**
   * Stops taking messages, lets those in hand finish (and be acked) for up to `stopDeadlineMs`, then closes
   * the channel. Closing returns the messages still unacked to their queue: a stuck handler's is redelivered.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    this.channel = undefined;
    if (!channel) return;
    try {
      if (this.consumerTag) await channel.cancel(this.consumerTag);
      if (!(await this.runner.idleWithin(this.spec.stopDeadlineMs))) {
        const { inProgress, size } = this.runner;
        this.host.logger.warn({ queue: this.spec.queue, stillRunning: inProgress, notStarted: size - inProgress }, `stopping anyway after ${this.spec.stopDeadlineMs} ms with ${inProgress} handler(s) still running; their messages stay unacked and RabbitMQ redelivers them`);
      }
      await channel.close();
    } catch {
      // The channel or connection is already gone: RabbitMQ requeues whatever was not acked.
    }
  }

  /** Never rejects: every outcome ends in an ack, a move to retry or dead letters, or a requeue. */
  private async handle(channel: Channel, raw: ConsumeMessage, decoded: Decoded<S>): Promise<void> {
    if (!decoded.ok) {
      // A poison message: it will never parse, however often we retry. Straight to the dead-letter queue,
      // where it stays visible, instead of being dropped or blocking the queue.
      await this.deadLetter(channel, raw, { id: decoded.id, type: decoded.type }, 'poison', decoded.error);
      return;
    }
    const { id, type, attempt } = decoded.message;
    try {
      // The handler commits its own database transaction before it resolves...
      await this.spec.handler(decoded.message);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      if (attempt >= this.spec.maxAttempts) {
        await this.deadLetter(channel, raw, { id, type }, 'max-attempts', `failed ${attempt} time(s); last error: ${why}`);
      } else {
        await this.retry(channel, raw, { id, type }, attempt, why);
      }
      return;
    }
    // ...so we ack only now. A crash before this line means RabbitMQ redelivers a message whose effect may
    // already be committed: that duplicate is what idempotent handlers absorb. Acking first would turn the
    // same crash into a lost message.
    if (this.ack(channel, raw, id)) this.host.events.emit('acked', { id, type, queue: this.spec.queue, attempt });
  }

  private async retry(channel: Channel, raw: ConsumeMessage, ref: { id: string; type: string }, attempt: number, error: string) {
    // We count attempts in our own header rather than RabbitMQ's `x-death`, because we republish the message
    // ourselves (x-death only counts RabbitMQ's own dead-lettering, and newer RabbitMQs ignore a copied one).
    const moved = await this.moveTo(channel, raw, ref, this.names.retry, { [HEADER.attempt]: String(attempt + 1), [HEADER.error]: error });
    if (moved) this.host.events.emit('retried', { ...ref, queue: this.spec.queue, attempt, error });
  }

  private async deadLetter(channel: Channel, raw: ConsumeMessage, ref: { id: string; type: string }, reason: DeadReason, error: string) {
    this.host.logger.warn({ queue: this.spec.queue, messageId: ref.id, type: ref.type, reason, error }, 'message dead-lettered');
    const moved = await this.moveTo(channel, raw, ref, this.names.dead, {
      [HEADER.error]: error,
      [HEADER.deadReason]: reason,
      [HEADER.failedQueue]: this.spec.queue,
    });
    if (moved) this.host.events.emit('dead-lettered', { ...ref, queue: this.spec.queue, reason, error });
  }

  /**
   * Copy first, ack second. Only once RabbitMQ confirmed the copy in the retry or dead-letter queue do we ack
   * the original. A crash in between leaves two copies (the original is redelivered), never zero. If the copy
   * cannot be made, the original goes back to its queue (nack with requeue) to be tried again.
   */
  private async moveTo(channel: Channel, raw: ConsumeMessage, ref: { id: string; type: string }, queue: string, headers: Record<string, string>): Promise<boolean> {
    const { 'x-death': _ignored, ...kept } = raw.properties.headers ?? {};
    const options: Options.Publish = {
      persistent: true,
      messageId: raw.properties.messageId,
      type: raw.properties.type,
      timestamp: raw.properties.timestamp,
      contentType: raw.properties.contentType,
      appId: raw.properties.appId,
      // A command's conversation and its reply address must survive a retry, or the reply has nowhere to go.
      correlationId: raw.properties.correlationId,
      replyTo: raw.properties.replyTo,
      headers: {
        // Where it was first published: after a trip through the retry queue the delivery says
        // exchange '' and the queue's name instead.
        [HEADER.originalExchange]: raw.fields.exchange,
        [HEADER.originalRoutingKey]: raw.fields.routingKey,
        ...kept,
        ...headers,
      },
    };
    try {
      await this.host.sendToQueueConfirmed(queue, raw.content, options);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.host.logger.warn({ queue: this.spec.queue, messageId: ref.id, error: why }, `could not move the message to ${queue}; requeueing it`);
      try {
        channel.nack(raw, false, true);
        this.host.events.emit('nacked', { ...ref, queue: this.spec.queue, error: why });
      } catch {
        // The channel is gone too; RabbitMQ requeues unacked messages of a closed channel by itself.
      }
      return false;
    }
    return this.ack(channel, raw, ref.id);
  }

  /** False when the channel closed meanwhile: the message will be redelivered, on the next channel. */
  private ack(channel: Channel, raw: ConsumeMessage, id: string): boolean {
    try {
      channel.ack(raw);
      return true;
    } catch (error) {
      this.host.logger.warn({ queue: this.spec.queue, messageId: id, err: error }, 'could not ack (channel closed); RabbitMQ will redeliver');
      return false;
    }
  }
}
