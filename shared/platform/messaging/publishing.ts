import type { ConfirmChannel, Message } from 'amqplib';

/**
 * The rules that make a publish either succeed or fail loudly, never vanish: a message no queue takes is
 * returned and counts as failed, a confirm that does not come in time is a failure, and no wait on a close
 * is left without a deadline.
 */

/** RabbitMQ returned the message (published `mandatory`): no queue is bound to its exchange for its routing key. */
export class UnroutableError extends Error {
  constructor(
    readonly messageId: string,
    /** The exchange's full (prefixed) name, as RabbitMQ knows it. */
    readonly exchange: string,
    readonly routingKey: string,
    replyText: string,
  ) {
    super(
      `RabbitMQ returned message ${messageId} (${replyText}): no queue is bound to exchange "${exchange}" for routing key "${routingKey}";` +
        ' it was not published (declare and bind the consuming queue, then it goes out on the next try)',
    );
    this.name = 'UnroutableError';
  }
}

/** RabbitMQ did not confirm in time. The message may still arrive (consumers deduplicate), so it counts as unpublished. */
export class ConfirmTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, blockedReason: string | undefined) {
    const blocked = blockedReason === undefined ? '' : ` (RabbitMQ has blocked this connection: ${blockedReason})`;
    super(`RabbitMQ did not confirm ${what} within ${timeoutMs} ms${blocked}`);
    this.name = 'ConfirmTimeoutError';
  }
}

/**
 * Thrown by `publishMany` when some messages were not published: refused, returned (no queue bound), or not
 * confirmed in time. The others were.
 */
export class PublishManyError extends Error {
  constructor(
    readonly failedIds: string[],
    readonly firstError: Error,
  ) {
    super(`${failedIds.length} message(s) not published (${failedIds.slice(0, 5).join(', ')}${failedIds.length > 5 ? ', …' : ''}): ${firstError.message}`, { cause: firstError });
    this.name = 'PublishManyError';
  }
}

/**
 * A confirm channel whose returned messages are remembered until their confirm arrives. RabbitMQ sends
 * `basic.return` *before* the `basic.ack` of the same message, and the ack is positive: without this, the
 * confirm callback would call a dropped message a success.
 */
export class PublishChannel {
  /** Returned, confirm not seen yet; keyed by message id, with a count in case one id is in flight twice. */
  private readonly returned = new Map<string, { error: UnroutableError; count: number }>();

  constructor(
    readonly channel: ConfirmChannel,
    onReturn: (error: UnroutableError, message: Message) => void,
  ) {
    channel.on('return', (message: Message) => {
      const { exchange, routingKey, replyText } = message.fields as Message['fields'] & { replyText: string };
      const id = message.properties.messageId;
      const error = new UnroutableError(typeof id === 'string' ? id : '(no id)', exchange, routingKey, replyText);
      if (typeof id === 'string') {
        const seen = this.returned.get(id);
        if (seen) seen.count += 1;
        else this.returned.set(id, { error, count: 1 });
      }
      onReturn(error, message);
    });
    // A closed channel confirms nothing more: forget what was returned on it.
    channel.on('close', () => this.returned.clear());
  }

  /** At the message's confirm: the return that preceded it, if any. Costs one `size` check when nothing was returned. */
  takeReturn(messageId: unknown): UnroutableError | undefined {
    if (this.returned.size === 0 || typeof messageId !== 'string') return undefined;
    const seen = this.returned.get(messageId);
    if (!seen) return undefined;
    if (--seen.count === 0) this.returned.delete(messageId);
    return seen.error;
  }
}

interface Closable {
  close(): Promise<void>;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** How long a close may wait for RabbitMQ's answer before we stop waiting (a dead connection never answers). */
export const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Closes a channel or connection and resolves once it is closed, or after `ms` at the latest; never rejects.
 * amqplib settles `close()` only when RabbitMQ answers it: if the connection dies after the close was sent,
 * the promise never settles, and whoever awaited it (a start-up, a reconnect) would wait forever. The
 * 'close' event does come when the connection dies, so either ends the wait.
 */
export function closeWithin(closable: Closable, ms = CLOSE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      closable.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    closable.once('close', done);
    closable.close().then(done, done);
  });
}
