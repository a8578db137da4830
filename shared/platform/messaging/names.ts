import type { Options } from 'amqplib';

/** The three queues behind one logical queue (the naming follows node-ts/bus). */
export interface QueueNames {
  /** Where the consumer reads. */
  main: string;
  /** Where a failed message waits `retryDelayMs` before RabbitMQ moves it back to `main`. */
  retry: string;
  /** Where a message goes when retrying cannot help; a person (or a grader) looks at it. */
  dead: string;
}

/** Every queue name in the kit comes from here, so a learner never has to guess a name. */
export function queueNames(base: string): QueueNames {
  return { main: base, retry: `${base}.retry`, dead: `${base}.dead` };
}

/**
 * `<prefix>.<name>`. Each test file (and each lab run) gets its own prefix, so files can run in parallel
 * on one RabbitMQ without reading each other's messages.
 */
export function prefixed(prefix: string, name: string): string {
  return `${prefix}.${name}`;
}

/** Prefixes starting with `kit_` are throwaway test namespaces: the broker may clean them up on its own. */
export function isTestNamespace(prefix: string): boolean {
  return prefix.startsWith('kit_');
}

/**
 * A test that crashes never reaches its `afterAll`, so test queues also carry `x-expires`: RabbitMQ deletes
 * a queue that nobody used for this long, and nothing piles up on a learner's laptop.
 */
export const TEST_QUEUE_EXPIRES_MS = 10 * 60_000;

/**
 * Options for every exchange the kit declares. The message tap declares the same exchanges too, and RabbitMQ
 * refuses (406 PRECONDITION_FAILED) a second declaration with different options, so both take them from here.
 * Test exchanges are auto-delete: once their last queue expires and its bindings go, the exchange goes too.
 */
export function exchangeOptions(prefix: string): Options.AssertExchange {
  return { durable: true, autoDelete: isTestNamespace(prefix) };
}

/** Extra queue arguments for a namespace (`x-expires` for test namespaces, nothing otherwise). */
export function namespaceQueueArguments(prefix: string): Record<string, unknown> {
  return isTestNamespace(prefix) ? { 'x-expires': TEST_QUEUE_EXPIRES_MS } : {};
}
