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

/**
 * Prefixes starting with `kit_` are throwaway test namespaces (see `shared/harness/namespace.ts`). The broker
 * treats them like any other: nothing of theirs expires on its own, and the harness deletes them.
 */
export function isTestNamespace(prefix: string): boolean {
  return prefix.startsWith('kit_');
}

/**
 * Options for every exchange the kit declares. The message tap declares the same exchanges too, and RabbitMQ
 * refuses (406 PRECONDITION_FAILED) a second declaration with different options, so both take them from here.
 *
 * Never auto-delete, and no queue carries `x-expires`, test namespaces included: a retry or dead-letter queue
 * may hold a message that no consumer reads, and an expiring queue (or an exchange that vanishes with its
 * last binding) would lose it without a word. A test namespace's teardown deletes its queues and exchanges.
 */
export function exchangeOptions(): Options.AssertExchange {
  return { durable: true, autoDelete: false };
}
