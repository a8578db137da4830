import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { z } from 'zod';
import type { Pool } from '../db.ts';

/**
 * Add to an order-service's migrations: a trigger that notifies `kit_order_changes` with the order's id
 * whenever its state changes (the service's `orders` table must come first: its own migrations are 001…).
 */
export const ORDER_CHANGES_MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** `?waitMs=…` on GET /orders/:id: how long a client is willing to wait for the order to change (0: answer now). */
export const LongPoll = z.object({ waitMs: z.coerce.number().int().min(0).max(30_000).default(0) });

const CHANNEL = 'kit_order_changes';

/** A wait on one order's next change; `cancel` it whatever happened. */
interface Watch {
  until(ms: number): Promise<void>;
  cancel(): void;
}

/**
 * One LISTEN connection per pool, shared by every waiting request: a thousand clients waiting cost one idle
 * connection, not a thousand queries a second. Opened on the first wait; a lost connection is opened again
 * by the next one.
 */
class OrderChanges {
  private readonly waiters = new Map<string, Set<() => void>>();
  private listening: Promise<pg.Client> | undefined;

  constructor(private readonly connectionString: string | undefined) {}

  async watch(id: string): Promise<Watch> {
    await this.listen();
    let wake!: () => void;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(id) ?? new Set();
    set.add(wake);
    this.waiters.set(id, set);
    const timer = new AbortController();
    return {
      until: (ms) => Promise.race([changed, sleep(ms, undefined, { signal: timer.signal }).catch(() => {})]),
      cancel: () => {
        timer.abort();
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
      },
    };
  }

  private listen(): Promise<pg.Client> {
    this.listening ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      const lost = () => {
        this.listening = undefined;
        client.end().catch(() => {});
      };
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (n) => this.waiters.get(n.payload ?? '')?.forEach((wake) => wake()));
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    })().catch((error: unknown) => {
      this.listening = undefined;
      throw error;
    });
    return this.listening;
  }
}

const byPool = new WeakMap<Pool, OrderChanges>();

function changesOf(pool: Pool): OrderChanges {
  let changes = byPool.get(pool);
  if (!changes) byPool.set(pool, (changes = new OrderChanges((pool as unknown as { options: { connectionString?: string } }).options.connectionString)));
  return changes;
}

/**
 * Reads the order with `read` and, while `pending` says it is undecided, waits for it to change, for at most
 * `waitMs` in all: a client of the asynchronous API learns the outcome in one request, the moment it is
 * committed, without polling. With waitMs 0 it is a plain read.
 */
export async function readWhenDecided<T>(pool: Pool, id: string, read: () => Promise<T>, pending: (value: T) => boolean, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  let value = await read();
  while (pending(value) && Date.now() < deadline) {
    let watch: Watch | undefined;
    try {
      watch = await changesOf(pool).watch(id);
    } catch {
      // No notifications (the LISTEN connection failed): wait a little and read again; the wait stays bounded.
      await sleep(Math.min(100, deadline - Date.now()));
      value = await read();
      continue;
    }
    try {
      // Watching before reading: a change committed between the read and the wait still ends the wait.
      value = await read();
      if (pending(value)) await watch.until(deadline - Date.now());
    } finally {
      watch.cancel();
    }
    if (pending(value)) value = await read();
  }
  return value;
}
