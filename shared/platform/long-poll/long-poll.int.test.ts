import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespace, type Namespace } from '../../harness/namespace.ts';
import { createPool, migrate, type Pool } from '../db.ts';
import { ORDER_CHANGES_MIGRATIONS, readWhenDecided } from './long-poll.ts';

let ns: Namespace;
let pool: Pool;
beforeAll(async () => {
  ns = await createNamespace('platform');
  pool = createPool(await ns.createDatabase('orders'));
  const own = mkdtempSync(path.join(tmpdir(), 'kit-orders-'));
  writeFileSync(path.join(own, '001_orders.sql'), 'CREATE TABLE orders (id uuid PRIMARY KEY, state text NOT NULL)');
  await migrate(pool, [own, ORDER_CHANGES_MIGRATIONS]);
});
afterAll(async () => {
  await pool?.end();
  await ns?.drop();
});

async function pendingOrder(): Promise<string> {
  const id = randomUUID();
  await pool.query("INSERT INTO orders (id, state) VALUES ($1, 'APPROVAL_PENDING')", [id]);
  return id;
}

const read = (id: string) => async () => (await pool.query<{ state: string }>('SELECT state FROM orders WHERE id = $1', [id])).rows[0]?.state;
const pending = (state: string | undefined) => state === 'APPROVAL_PENDING';

describe('long-poll on an order (GET /orders/:id?waitMs)', () => {
  test('when the order is decided during the wait, then the read answers at the commit, long before the wait ends', async () => {
    const id = await pendingOrder();
    const started = Date.now();
    const answer = readWhenDecided(pool, id, read(id), pending, 20_000);
    // Decided by another connection, as a saga's consumer would: the waiter hears of it through NOTIFY.
    setTimeout(() => void pool.query("UPDATE orders SET state = 'APPROVED' WHERE id = $1", [id]), 200);
    expect(await answer).toBe('APPROVED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('when nothing happens, then the read answers the pending order once the wait ends', async () => {
    const id = await pendingOrder();
    const started = Date.now();
    expect(await readWhenDecided(pool, id, read(id), pending, 300)).toBe('APPROVAL_PENDING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('when another order changes, or a transaction that decided it rolls back, then the wait goes on', async () => {
    const id = await pendingOrder();
    const other = await pendingOrder();
    const answer = readWhenDecided(pool, id, read(id), pending, 1_000);
    await pool.query("UPDATE orders SET state = 'REJECTED' WHERE id = $1", [other]);
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query("UPDATE orders SET state = 'APPROVED' WHERE id = $1", [id]);
    await client.query('ROLLBACK');
    client.release();
    expect(await answer).toBe('APPROVAL_PENDING');
  });

  test('when the order is already decided or waitMs is 0, then it answers at once', async () => {
    const id = await pendingOrder();
    expect(await readWhenDecided(pool, id, read(id), pending, 0)).toBe('APPROVAL_PENDING');
    await pool.query("UPDATE orders SET state = 'APPROVED' WHERE id = $1", [id]);
    const started = Date.now();
    expect(await readWhenDecided(pool, id, read(id), pending, 20_000)).toBe('APPROVED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
