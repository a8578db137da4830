import path from 'node:path';
import { inTransaction, type Pool, type PoolClient } from '../db.ts';
import { replyDestination, type Delivered, type Destination } from '../messaging.ts';

/** Add to a service's migrations to get the outbox and processed-messages tables. */
export const OUTBOX_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/**
 * An event: published to the relay's exchange (the service's own events), routed by `<type>.<aggregateId>`.
 * `aggregateId` orders messages: one aggregate's messages go out in the order they were appended.
 */
export interface OutboxEvent {
  id: string;
  type: string;
  aggregateId: string;
  payload: unknown;
  /** The conversation (saga) it belongs to, if any: the AMQP `correlationId` property. */
  correlationId?: string;
  /** The id of the message that caused it, if any. */
  causationId?: string;
}

/** A command, sent to one service's command channel (`commandChannel(service).destination`). */
export interface OutboxCommand extends OutboxEvent {
  destination: Destination;
  /** The saga id: the reply carries it back, so the orchestrator finds the saga the reply is for. */
  correlationId: string;
  /** The name of the reply channel where the answer goes (`replyChannel(service, saga).name`). */
  replyTo: string;
}

/** A reply, sent back to the reply channel its command named. `replyFor` builds one. */
export interface OutboxReply extends OutboxEvent {
  destination: Destination;
  /** The id of the command it answers. */
  causationId: string;
}

export type OutboxMessage = OutboxEvent | OutboxCommand | OutboxReply;

/**
 * The reply to `command`, ready for `appendToOutbox`: addressed to the command's `replyTo`, with the
 * command's correlation id, and the command as its cause. Its aggregate is the conversation, so the replies
 * of one saga go out in the order they were appended.
 */
export function replyFor(command: Delivered, reply: { id: string; type: string; payload: unknown }): OutboxReply {
  const message: OutboxReply = {
    ...reply,
    aggregateId: command.correlationId ?? command.key ?? command.id,
    destination: replyDestination(command),
    causationId: command.id,
  };
  if (command.correlationId !== undefined) message.correlationId = command.correlationId;
  return message;
}

const INSERT = `
  INSERT INTO outbox (message_id, aggregate_id, type, payload, exchange, routing_key, correlation_id, causation_id, reply_to)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/**
 * Appends events, commands and replies to the outbox inside the caller's transaction (`tx`, never the pool):
 * they commit or roll back with the change they describe. This is lab 02's lesson, kept as platform code
 * from lab 03 on.
 */
export async function appendToOutbox(tx: PoolClient, ...messages: OutboxMessage[]): Promise<void> {
  for (const message of messages) {
    // Every field of every kind, those this kind lacks being undefined: they become NULL columns.
    const m: Partial<OutboxCommand & OutboxReply> = message;
    await tx.query(INSERT, [
      m.id,
      m.aggregateId,
      m.type,
      m.payload,
      m.destination?.exchange ?? null,
      m.destination?.routingKey ?? null,
      m.correlationId ?? null,
      m.causationId ?? null,
      m.replyTo ?? null,
    ]);
  }
  if (messages.length > 0) for (const listener of appendListeners) listener();
}

/**
 * The relays of this process listen here (relay.ts): a relay whose outbox stayed empty polls less and less
 * often, and an append tells it to look again now. Only a hint: the rows are not committed yet, so the relay
 * still finds them by polling, a few milliseconds later.
 */
const appendListeners = new Set<() => void>();

/** Calls `listener` after each append to an outbox in this process; returns the function that stops it. */
export function onOutboxAppend(listener: () => void): () => void {
  appendListeners.add(listener);
  return () => appendListeners.delete(listener);
}

/**
 * Runs `work` at most once per message id: the record of the message and the work commit in one
 * transaction, so a redelivered copy finds the record and changes nothing. Resolves only after the commit,
 * so the consumer acks after the effect is durable. Returns false for a duplicate.
 */
export async function handleOnce(pool: Pool, messageId: string, work: (tx: PoolClient) => Promise<void>): Promise<boolean> {
  return inTransaction(pool, async (tx) => {
    const { rowCount } = await tx.query('INSERT INTO processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING', [messageId]);
    if (rowCount !== 1) return false;
    await work(tx);
    return true;
  });
}

/** Deletes processed-message records older than `retentionMs` (far longer than any redelivery can take). */
export async function purgeProcessed(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM processed_messages WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)', [retentionMs]);
  return rowCount ?? 0;
}
