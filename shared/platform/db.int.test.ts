import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespace, type Namespace } from '../harness/namespace.ts';
import { createPool, inTransaction, migrate, type Pool } from './db.ts';

let ns: Namespace;
let pool: Pool;
const migrations = mkdtempSync(path.join(tmpdir(), 'kit-migrations-'));
beforeAll(async () => {
  ns = await createNamespace('platform');
  pool = createPool(await ns.createDatabase('db'));
});
afterAll(async () => {
  await pool?.end();
  await ns?.drop();
});

describe('database platform', () => {
  test('when migrations run twice, then each file is applied once, in order', async () => {
    writeFileSync(path.join(migrations, '001_items.sql'), 'CREATE TABLE items (id int PRIMARY KEY, name text)');
    writeFileSync(path.join(migrations, '002_items_price.sql'), 'ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 0');
    writeFileSync(path.join(migrations, 'notes.txt'), 'not a migration');
    expect(await migrate(pool, migrations)).toEqual(['001_items.sql', '002_items_price.sql']);
    expect(await migrate(pool, migrations)).toEqual([]);
  });

  test('when two instances of a service migrate at once, then neither fails', async () => {
    writeFileSync(path.join(migrations, '003_tags.sql'), 'CREATE TABLE tags (id int PRIMARY KEY)');
    const applied = await Promise.all([migrate(pool, migrations), migrate(pool, migrations)]);
    expect(applied.flat()).toEqual(['003_tags.sql']);
  });

  test('when the work of a transaction throws, then none of its writes remain', async () => {
    await expect(
      inTransaction(pool, async (tx) => {
        await tx.query('INSERT INTO items (id, name) VALUES ($1, $2)', [1, 'kept?']);
        throw new Error('the second write failed');
      }),
    ).rejects.toThrow('the second write failed');
    const { rowCount } = await pool.query('SELECT 1 FROM items WHERE id = 1');
    expect(rowCount).toBe(0);
  });

  test('when a migration is broken, then the error names the file', async () => {
    writeFileSync(path.join(migrations, '004_broken.sql'), 'CREATE TABLE (');
    await expect(migrate(pool, migrations)).rejects.toThrow(/004_broken\.sql/);
  });
});
