import type { Pool } from '#shared/platform/db.ts';
import type { Broker, OutgoingMessage } from '#shared/platform/messaging.ts';
import type { StoredEvent } from '../db/event-store.ts';
import { checkpointOf, loadCheckpoint, readCommitted, saveCheckpoint } from '../db/store-reader.ts';

/** Where the store's events go: consumers bind their queues to it. */
export const EXCHANGE = 'order-service.events';
/** The publisher's row in `checkpoints`. */
export const PUBLISHER = 'rabbitmq';

/** The part of a Broker the publisher uses (publishMany waits for confirms and fails on a returned message). */
export type Publisher = Pick<Broker, 'publishMany'>;

/**
 * A stored event as a message. Its id is the event's id, so a copy published again after a crash carries the
 * same id and a consumer drops it; orderId and version tell a consumer where it belongs in its stream.
 */
export function toMessage(event: StoredEvent): OutgoingMessage {
  return {
    id: event.id,
    type: event.type,
    key: event.streamId,
    payload: { ...(event.data as object), orderId: event.streamId, version: event.version, position: event.position },
  };
}

/**
 * Publishes the next batch of the store; resolves with how many events went out (0: nothing new).
 * The event store needs no outbox: its rows are the messages. What the publisher must keep is its place.
 */
export async function publishBatch(pool: Pool, broker: Publisher, batchSize: number): Promise<number> {
  const checkpoint = await loadCheckpoint(pool, PUBLISHER);
  const events = await readCommitted(pool, checkpoint, batchSize);
  if (events.length === 0) return 0;
  // #region confirm-then-checkpoint
  // publishMany resolves once RabbitMQ confirmed every message and none was returned unroutable. Only then
  // does the checkpoint move: a SIGKILL before it publishes the batch again after the restart (duplicates,
  // which consumers drop by message id); the other order would skip the batch for good.
  await broker.publishMany(EXCHANGE, events.map(toMessage));
  await saveCheckpoint(pool, PUBLISHER, checkpointOf(events, checkpoint));
  // #endregion confirm-then-checkpoint
  return events.length;
}
