import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { prefixed } from '../platform/messaging/names.ts';
import type { TappedMessage } from './message-tap.ts';
import type { Namespace } from './namespace.ts';
import { ManagementApiUnavailableError, rabbitAdmin } from './rabbit-admin.ts';

/** One queue of the namespace as it is now: messages waiting to be delivered, and who reads it. */
export interface QueueDepth {
  queue: string;
  ready: number;
  consumers: number;
}

/**
 * What a grader does with the namespace's RabbitMQ besides watching it (the tap does that): publish as a
 * producer would, redeliver what crossed the wire, and tell whether every queue is empty right now.
 */
export class WorldBroker {
  private connection: Promise<ChannelModel> | undefined;
  private confirmChannel: Promise<ConfirmChannel> | undefined;
  private checkChannel: Promise<Channel> | undefined;
  private queueNames: { names: string[]; at: number } | undefined;

  constructor(private readonly ns: Namespace) {}

  /**
   * Publishes one message to an exchange of the namespace (base name) and waits for RabbitMQ's confirm.
   * Mandatory: a message no queue took throws, so a test never believes it delivered what RabbitMQ dropped.
   */
  async publish(exchange: string, routingKey: string, content: string | Buffer, properties: Options.Publish = {}): Promise<void> {
    const channel = await this.confirms();
    const returned: ConsumeMessage[] = [];
    const onReturn = (message: ConsumeMessage) => returned.push(message);
    channel.on('return', onReturn);
    try {
      channel.publish(prefixed(this.ns.id, exchange), routingKey, Buffer.from(content), { persistent: true, mandatory: true, ...properties });
      await channel.waitForConfirms();
    } finally {
      channel.off('return', onReturn);
    }
    if (returned.length > 0) throw new Error(`no queue is bound to ${exchange} for routing key ${routingKey}: RabbitMQ returned the message`);
  }

  /**
   * Publishes captured messages again, exactly as they crossed the broker (same ids, types, headers, bodies):
   * the duplicates at-least-once delivery produces, on demand.
   */
  async redeliver(messages: readonly TappedMessage[]): Promise<void> {
    for (const m of messages) {
      if (!m.id || !m.type) throw new Error(`cannot redeliver a message without an id and a type (${m.exchange} ${m.routingKey})`);
      const body = typeof m.body === 'string' ? m.body : JSON.stringify(m.body);
      await this.publish(m.exchange, m.routingKey, body, { messageId: m.id, type: m.type, headers: m.headers, contentType: 'application/json', ...(m.service ? { appId: m.service } : {}) });
    }
  }

  /**
   * The ready count of every queue of the namespace except dead-letter queues (a dead letter waits for a
   * person, not for a consumer), as RabbitMQ answers a passive declare: the count now, not the management
   * API's sampled statistics, which lag by seconds. Messages a consumer holds unacknowledged are not in it.
   * Undefined when the management API (which lists the queues) does not answer.
   */
  async queueDepths(): Promise<QueueDepth[] | undefined> {
    const names = await this.namespaceQueues();
    if (!names) return undefined;
    const depths: QueueDepth[] = [];
    for (const queue of names) {
      try {
        const { messageCount, consumerCount } = await (await this.checks()).checkQueue(queue);
        depths.push({ queue, ready: messageCount, consumers: consumerCount });
      } catch {
        // The queue went away (a 404 closes the channel): nothing waits in it. Open a fresh channel next time.
        this.checkChannel = undefined;
      }
    }
    return depths;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = this.confirmChannel = this.checkChannel = undefined;
    await connection?.then((c) => c.close()).catch(() => {});
  }

  /**
   * The names change only when a service declares its topology at start-up, and listing every queue of the
   * broker is slow on a busy one: listed at most every 10 s.
   */
  private async namespaceQueues(): Promise<string[] | undefined> {
    if (this.queueNames && Date.now() - this.queueNames.at < 10_000) return this.queueNames.names;
    try {
      const names = (await rabbitAdmin().queues(this.ns.id)).filter((q) => !q.endsWith('.dead'));
      this.queueNames = { names, at: Date.now() };
      return names;
    } catch (error) {
      if (error instanceof ManagementApiUnavailableError) return undefined;
      throw error;
    }
  }

  private open(): Promise<ChannelModel> {
    this.connection ??= connect(this.ns.amqpUrl, { noDelay: true, clientProperties: { connection_name: `grader (${this.ns.id})` } }).then((c) => {
      c.on('error', () => {});
      c.on('close', () => {
        this.connection = this.confirmChannel = this.checkChannel = undefined;
      });
      return c;
    });
    return this.connection;
  }

  private confirms(): Promise<ConfirmChannel> {
    this.confirmChannel ??= this.open().then((c) => c.createConfirmChannel()).then((ch) => watched(ch, () => (this.confirmChannel = undefined)));
    return this.confirmChannel;
  }

  private checks(): Promise<Channel> {
    this.checkChannel ??= this.open().then((c) => c.createChannel()).then((ch) => watched(ch, () => (this.checkChannel = undefined)));
    return this.checkChannel;
  }
}

function watched<C extends Channel>(channel: C, onClose: () => void): C {
  channel.on('error', () => {});
  channel.on('close', onClose);
  return channel;
}
