import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { findCustomer, findOrder, readState } from '../db/view-store.ts';

/**
 * Read-your-writes. A command answers the position of its write: `customer:<id>@<version>` (customer-service)
 * or `order:<id>@<version>` (order-service); `ticket:` and `payment:` name those aggregates. A query given
 * one as `after` waits until the view applied that version (or a later one) of that aggregate, but only so
 * long: past `waitMs` it answers what it has, saying `caughtUp: false`, instead of hanging.
 */
export const Position = z.string().regex(/^(customer|order|ticket|payment):[0-9a-f-]{36}@\d+$/i, 'a position like order:<uuid>@1, as a command answered it');

export const WaitQuery = z.object({
  after: Position.optional(),
  waitMs: z.coerce.number().int().min(0).max(10_000).default(2_000),
});

export async function versionAt(pool: Pool, position: string): Promise<number> {
  const [, kind, id, ] = /^(\w+):([^@]+)@/.exec(position)!;
  const { active } = await readState(pool);
  if (kind === 'customer') return (await findCustomer(pool, active, id!))?.version ?? 0;
  const order = await findOrder(pool, active, id!);
  return order?.versions[kind as 'order' | 'ticket' | 'payment'] ?? 0;
}

/** Resolves true once the view shows `after` (or at once without one), false when `waitMs` ran out first. */
export async function caughtUpTo(pool: Pool, after: string | undefined, waitMs: number): Promise<boolean> {
  if (after === undefined) return true;
  const wanted = Number(after.slice(after.lastIndexOf('@') + 1));
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await versionAt(pool, after)) >= wanted) return true;
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
}
