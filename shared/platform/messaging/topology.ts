import type { Channel } from 'amqplib';
import { exchangeOptions, prefixed, queueNames } from './names.ts';

export interface Binding {
  /** Exchange base name (without the prefix). */
  exchange: string;
  /** Topic pattern, e.g. `OrderCreated.#` (the type, then any key). */
  pattern: string;
}

export interface QueueSpec {
  /** Base name; the retry and dead-letter queues derive from it (see `queueNames`). */
  name: string;
  bindings: Binding[];
  /** How long a failed message waits before its next attempt (default 1 s). */
  retryDelayMs?: number;
  /** Attempts before a failing message is dead-lettered (default 5); `consume` may override it. */
  maxAttempts?: number;
}

export interface Topology {
  exchanges: string[];
  queues: QueueSpec[];
}

export const DEFAULT_RETRY_DELAY_MS = 1_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Declares topic exchanges and, for each queue, its main, retry and dead-letter queues. Declaring is
 * idempotent, which is why the broker simply runs this again after a reconnect. Changing `retryDelayMs` of an
 * existing queue is refused by RabbitMQ (406 PRECONDITION_FAILED): queue arguments are fixed at creation.
 */
export async function declareTopology(channel: Channel, prefix: string, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(prefixed(prefix, exchange), 'topic', exchangeOptions());
  }
  for (const queue of topology.queues) {
    const names = queueNames(prefixed(prefix, queue.name));
    await channel.assertQueue(names.main, { durable: true });
    // The retry queue has no consumer. A message sits there until its TTL runs out, then RabbitMQ
    // dead-letters it back to the main queue through the default exchange: a delay without a timer in our
    // process, so a consumer crash during the wait loses nothing.
    await channel.assertQueue(names.retry, {
      durable: true,
      arguments: {
        'x-message-ttl': queue.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.main,
      },
    });
    await channel.assertQueue(names.dead, { durable: true });
    for (const binding of queue.bindings) {
      await channel.bindQueue(names.main, prefixed(prefix, binding.exchange), binding.pattern);
    }
  }
}

export async function deleteTopology(channel: Channel, prefix: string, topology: Topology): Promise<void> {
  for (const queue of topology.queues) {
    const names = queueNames(prefixed(prefix, queue.name));
    for (const name of [names.main, names.retry, names.dead]) await channel.deleteQueue(name);
  }
  for (const exchange of topology.exchanges) await channel.deleteExchange(prefixed(prefix, exchange));
}
