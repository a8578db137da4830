import path from 'node:path';
import type { Express } from 'express';
import { inTransaction, type Pool, type PoolClient } from '../platform/db.ts';
import type { Delivered } from '../platform/messaging.ts';
import { appendToOutbox, replyFor, type OutboxReply } from '../platform/outbox/outbox.ts';

/** Add to a participant's migrations: the table of replies held back by the `hold` knob. */
export const HELD_REPLIES_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/**
 * A participant's answer to a command: the reply goes to the command's reply channel through the outbox, in
 * the caller's transaction (with the change it reports and the dedup record).
 *
 * Fault knob `hold`: the reply is written to `held_replies` instead, and nothing is sent: to the orchestrator
 * the participant never answers. The work itself is done and committed, as when a real participant is slow.
 * `releaseHeldReplies` sends them later, so they arrive after the step timed out.
 */
export async function answer(tx: PoolClient, command: Delivered, reply: { id: string; type: string; payload: unknown }, { hold = false } = {}): Promise<void> {
  const message = replyFor(command, reply);
  if (hold) await tx.query('INSERT INTO held_replies (message) VALUES ($1)', [JSON.stringify(message)]);
  else await appendToOutbox(tx, message);
}

/** Moves every held reply to the outbox, in one transaction; returns how many. */
export async function releaseHeldReplies(pool: Pool): Promise<number> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ message: OutboxReply }>('DELETE FROM held_replies RETURNING message');
    await appendToOutbox(tx, ...rows.map((r) => r.message));
    return rows.length;
  });
}

/** `POST /admin/held-replies/release`: the grader's switch for the `hold` knob. */
export function heldRepliesRoute(pool: Pool) {
  return (app: Express) => {
    app.post('/admin/held-replies/release', async (_req, res) => {
      res.json({ released: await releaseHeldReplies(pool) });
    });
  };
}

/**
 * A fault knob given as order totals (`ACCOUNTING_DECLINE_TOTAL=666` or `=666,333`): the orders of exactly
 * those totals get the fault, every other order is served normally, so one world can hold faulty and healthy
 * sagas at once. Unset means no fault.
 */
export function totalKnob(name: string): (total: number) => boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return () => false;
  const marked = raw.split(',').map(Number);
  if (!marked.every(Number.isInteger)) {
    console.error(`${name} must list order totals in cents (for example ${name}=666 or ${name}=666,333), got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return (total) => marked.includes(total);
}
