import { EventEmitter } from 'node:events';

interface MessageRef {
  id: string;
  type: string;
}

export interface PublishedEvent extends MessageRef {
  exchange: string;
  routingKey: string;
}
export interface AckedEvent extends MessageRef {
  queue: string;
  attempt: number;
}
export interface NackedEvent extends MessageRef {
  queue: string;
  error: string;
}
export interface RetriedEvent extends MessageRef {
  queue: string;
  /** The attempt that failed; the retry will be attempt + 1. */
  attempt: number;
  error: string;
}
export interface DeadLetteredEvent extends MessageRef {
  queue: string;
  reason: DeadReason;
  error: string;
}
export type DeadReason = 'poison' | 'max-attempts';
export interface ReturnedEvent extends MessageRef {
  /** Base name, as given to `publish`; the log names the full (prefixed) one. */
  exchange: string;
  routingKey: string;
}

/** Everything a Broker reports. Tests await these instead of sleeping. */
export interface BrokerEventMap {
  /** RabbitMQ confirmed the message: it is on disk in every queue it was routed to. */
  published: [PublishedEvent];
  /**
   * RabbitMQ returned the message: no queue is bound to its exchange for its routing key. Its publish
   * failed (the outbox row stays unpublished); RabbitMQ still confirms it, which alone would look like success.
   */
  returned: [ReturnedEvent];
  /**
   * The handler finished and the ack was sent. RabbitMQ does not confirm acks: one sent on a connection that
   * is dying is lost, and the message is delivered again (the handlers are idempotent for this reason).
   */
  acked: [AckedEvent];
  /** The message went back to its queue (requeued) because it could not be moved to retry or dead. */
  nacked: [NackedEvent];
  /** The handler threw; the message waits in the retry queue. */
  retried: [RetriedEvent];
  /** The message is in the dead-letter queue, with the reason in its headers. */
  'dead-lettered': [DeadLetteredEvent];
  disconnected: [{ error: string }];
  reconnected: [{ attempts: number }];
  /**
   * RabbitMQ stopped reading from this connection (a memory or disk alarm): publishes wait, and confirms
   * stop coming until `unblocked`. The confirm deadline turns the wait into a failed, retried batch.
   */
  blocked: [{ reason: string }];
  unblocked: [{ blockedForMs: number }];
}
export type BrokerEventName = keyof BrokerEventMap;

/** Kept per event name for `waitFor`; older ones are forgotten so a long demo does not grow without bound. */
const HISTORY_LIMIT = 10_000;

/**
 * An EventEmitter that also counts: `waitFor('acked', 3)` resolves once three messages were acked since the
 * Broker started, even if they were acked before `waitFor` was called. That is what makes it race-free in
 * tests: publish, then wait, without caring which happens first.
 */
export class CountingEmitter extends EventEmitter<BrokerEventMap> {
  private readonly counts = new Map<BrokerEventName, number>();
  private readonly history = new Map<BrokerEventName, unknown[]>();

  override emit<E extends BrokerEventName>(event: E, ...args: BrokerEventMap[E]): boolean {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
    const seen = this.history.get(event) ?? [];
    seen.push(args[0]);
    if (seen.length > HISTORY_LIMIT) seen.shift();
    this.history.set(event, seen);
    return (super.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
  }

  count(event: BrokerEventName): number {
    return this.counts.get(event) ?? 0;
  }

  /** Resolves with the first `count` payloads of `event` once that many happened since the start. */
  waitFor<E extends BrokerEventName>(event: E, count: number, timeoutMs = 5_000): Promise<Array<BrokerEventMap[E][0]>> {
    const payloads = () => (this.history.get(event) ?? []).slice(0, count) as Array<BrokerEventMap[E][0]>;
    if (this.count(event) >= count) return Promise.resolve(payloads());
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (this.count(event) < count) return;
        clearTimeout(timer);
        this.off(event, listener as never);
        resolve(payloads());
      };
      const timer = setTimeout(() => {
        this.off(event, listener as never);
        reject(new Error(`waited ${timeoutMs} ms for ${count} "${event}" event(s), saw ${this.count(event)}`));
      }, timeoutMs);
      this.on(event, listener as never);
    });
  }
}
