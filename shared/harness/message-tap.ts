import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { keyOf, stringHeaders } from '../platform/messaging/envelope.ts';
import { exchangeOptions, prefixed } from '../platform/messaging/names.ts';
import type { Timeline } from './timeline.ts';

/** One message as it crossed an exchange. */
export interface TappedMessage {
  at: number;
  /** Exchange base name (without the prefix). */
  exchange: string;
  routingKey: string;
  id: string | undefined;
  type: string | undefined;
  /** The parsed JSON body, or the raw text when it is not JSON (a poison message is worth seeing too). */
  body: unknown;
  headers: Record<string, string>;
  /** The publishing service (the AMQP `appId` property), if it said. */
  service: string | undefined;
}

export interface TapOptions {
  url: string;
  prefix: string;
  /** Exchange base names to listen on. */
  exchanges: string[];
  /** When given, every message becomes an arrow from its publishing service to the exchange. */
  timeline?: Timeline;
}

export interface MessageTap {
  /** Everything seen so far, oldest first. */
  readonly messages: readonly TappedMessage[];
  /** Resolves with the first message (already seen or still to come) that matches. */
  waitFor(predicate: (message: TappedMessage) => boolean, timeoutMs?: number): Promise<TappedMessage>;
  /** How many messages of this type crossed. */
  count(type: string): number;
  stop(): Promise<void>;
}

/**
 * Listens to exchanges like one more subscriber: a private queue bound with `#` gets a copy of every message
 * published to them, without taking anything from the services' own queues. Graders assert on what crossed
 * the wire; demos draw it. Start it before the traffic you want to see: a queue only receives messages
 * published after it was bound.
 */
export async function startTap(options: TapOptions): Promise<MessageTap> {
  const connection: ChannelModel = await connect(options.url, {
    noDelay: true,
    clientProperties: { connection_name: `message tap (${options.prefix})` },
  });
  connection.on('error', () => {
    // A tap must never take a test down; a lost connection just means it stops recording.
  });
  const channel = await connection.createChannel();
  const messages: TappedMessage[] = [];
  const waiters = new Set<(message: TappedMessage) => void>();

  // Exclusive and auto-delete: the queue belongs to this connection and disappears with it, even if the
  // test process is killed, so a tap never leaves a queue filling up on the broker.
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  const exchangeByName = new Map<string, string>();
  for (const exchange of options.exchanges) {
    const name = prefixed(options.prefix, exchange);
    exchangeByName.set(name, exchange);
    // Declared with the very options the Broker uses, so whichever starts first, the other one agrees.
    await channel.assertExchange(name, 'topic', exchangeOptions());
    await channel.bindQueue(queue, name, '#');
  }

  const record = (raw: ConsumeMessage) => {
    const headers = stringHeaders(raw.properties.headers);
    const message: TappedMessage = {
      at: Date.now(),
      exchange: exchangeByName.get(raw.fields.exchange) ?? raw.fields.exchange,
      routingKey: raw.fields.routingKey,
      id: typeof raw.properties.messageId === 'string' ? raw.properties.messageId : undefined,
      type: typeof raw.properties.type === 'string' ? raw.properties.type : undefined,
      body: parseBody(raw.content),
      headers,
      service: typeof raw.properties.appId === 'string' ? raw.properties.appId : undefined,
    };
    messages.push(message);
    options.timeline?.record({
      at: message.at,
      from: message.service ?? 'unknown publisher',
      to: message.exchange,
      label: tapLabel(message),
    });
    for (const waiter of waiters) waiter(message);
  };
  // noAck: the tap's copy is only read, never processed, so there is nothing to acknowledge.
  await channel.consume(queue, (raw) => raw && record(raw), { noAck: true });

  return {
    messages,
    waitFor(predicate, timeoutMs = 5_000) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (message: TappedMessage) => {
          if (!predicate(message)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const types = [...new Set(messages.map((m) => m.type))].join(', ') || 'none';
          reject(new Error(`the tap saw no matching message within ${timeoutMs} ms (saw ${messages.length} message(s); types: ${types})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    count: (type) => messages.filter((m) => m.type === type).length,
    async stop() {
      waiters.clear();
      await connection.close().catch(() => {});
    },
  };
}

function parseBody(content: Buffer): unknown {
  const text = content.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `OrderCreated 3f2a9c1e`: the type and the start of the key (the aggregate), enough to follow one order. */
function tapLabel(message: TappedMessage): string {
  const key = message.type ? keyOf(message.type, message.routingKey)?.slice(0, 8) : undefined;
  return `${message.type ?? message.routingKey}${key ? ` ${key}` : ''}`;
}
