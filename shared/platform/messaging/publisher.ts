import type { Message, Options } from 'amqplib';
import type { Logger } from '../log.ts';
import type { BrokerConnection } from './connection.ts';
import { encode, routingKeyFor, type OutgoingMessage } from './envelope.ts';
import type { CountingEmitter } from './events.ts';
import { prefixed } from './names.ts';
import { ConfirmTimeoutError, PublishChannel, PublishManyError, UnroutableError } from './publishing.ts';

export interface PublisherSettings {
  prefix: string;
  service: string;
  confirmTimeoutMs: number;
}

/**
 * The Broker's publishing, on one confirm channel: a publish succeeds only once RabbitMQ confirmed the
 * message and a queue took it, and fails within `confirmTimeoutMs` otherwise. The rules it applies (returned
 * messages, confirm deadlines) are in publishing.ts.
 */
export class Publisher {
  private publishChannel: { opening: Promise<PublishChannel>; ready?: PublishChannel } | undefined;

  constructor(
    private readonly settings: PublisherSettings,
    private readonly link: BrokerConnection,
    private readonly events: CountingEmitter,
    private readonly logger: Logger,
  ) {}

  /** See `Broker.publish`. */
  async publish(exchange: string, message: OutgoingMessage): Promise<void> {
    const publishing = await this.currentPublishChannel(`publish ${message.type} ${message.id}`);
    const target = prefixed(this.settings.prefix, exchange);
    const what = `message ${message.id} (${message.type}) to exchange ${target}`;
    try {
      await this.confirmed(what, (done) => this.send(publishing, exchange, target, message, done));
    } catch (error) {
      if (error instanceof UnroutableError) this.warnReturned([error]);
      throw error;
    }
  }

  /** See `Broker.publishMany`. */
  async publishMany(exchange: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const publishing = await this.currentPublishChannel(`publish a batch of ${messages.length}`);
    const target = prefixed(this.settings.prefix, exchange);
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
        firstError ??= new ConfirmTimeoutError(`${late.length} of ${messages.length} message(s)`, this.settings.confirmTimeoutMs, this.link.blockedReason);
        resolve();
      }, this.settings.confirmTimeoutMs);
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

  /** How a consumer moves a message to its retry or dead-letter queue: confirmed, like any publish. */
  async sendToQueueConfirmed(queue: string, content: Buffer, options: Options.Publish): Promise<void> {
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
  }

  /** The connection is gone or closing: its channel with it. The next publish opens one on the new connection. */
  forgetChannel(): void {
    this.publishChannel = undefined;
  }

  /**
   * One confirm channel for all publishing, opened on first use and again after it closed. Opening it is a
   * round trip too, so it has the same deadline as a confirm: a relay holds its row locks meanwhile.
   */
  private async currentPublishChannel(what: string): Promise<PublishChannel> {
    const connection = this.link.require(what);
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
      timer = setTimeout(() => reject(new ConfirmTimeoutError(`opening the publish channel (to ${what})`, this.settings.confirmTimeoutMs, this.link.blockedReason)), this.settings.confirmTimeoutMs);
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
    const { content, options } = encode(message, this.settings.service);
    options.mandatory = true;
    try {
      publishing.channel.publish(target, routingKey, content, options, (error: unknown) => {
        const failure = error ?? publishing.takeReturn(message.id);
        if (!failure) this.events.emit('published', { id: message.id, type: message.type, exchange, routingKey });
        done(failure);
      });
    } catch (error) {
      // amqplib throws at once when the channel is already closed.
      done(error);
    }
  }

  /** Each returned message is counted; the log line is written once per publish call (see `warnReturned`). */
  private messageReturned(error: UnroutableError, message: Message): void {
    const { prefix } = this.settings;
    const exchange = error.exchange.startsWith(`${prefix}.`) ? error.exchange.slice(prefix.length + 1) : error.exchange;
    this.events.emit('returned', { id: error.messageId, type: String(message.properties.type), exchange, routingKey: error.routingKey });
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
      const timer = setTimeout(() => reject(new ConfirmTimeoutError(what, this.settings.confirmTimeoutMs, this.link.blockedReason)), this.settings.confirmTimeoutMs);
      send((error: unknown) => {
        clearTimeout(timer);
        if (!error) return resolve();
        if (error instanceof UnroutableError) return reject(error);
        const why = error instanceof Error ? error.message : 'negatively acknowledged';
        reject(new Error(`RabbitMQ did not confirm ${what}: ${why}`, { cause: error }));
      });
    });
  }
}
