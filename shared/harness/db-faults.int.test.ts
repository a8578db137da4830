import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holdWritesOf } from './db-faults.ts';
import { createNamespace, type Namespace } from './namespace.ts';

// The held write lab 03's grader kills customer-service at: a transaction stops right at the write, and a
// client that dies while it is held commits nothing.
let ns: Namespace;
let url: string;
const db = {
  addresses: { databaseUrl: () => url },
  async query(_database: string, sql: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  },
};

beforeAll(async () => {
  ns = await createNamespace('hold');
  url = await ns.createDatabase('things');
  await db.query('things', 'CREATE TABLE effects (id int); CREATE TABLE answers (id int, who text)');
});
afterAll(async () => {
  await ns?.drop();
});

describe('a write held by the grader', () => {
  test('when a transaction reaches the held write and its client dies there, then neither of its writes commits, and other writes go on', async () => {
    const hold = await holdWritesOf(db, 'things', { table: 'answers', when: "NEW.who = 'held'" });
    const service = new pg.Client({ connectionString: url });
    await service.connect();
    service.on('error', () => {});
    let stuck: Promise<unknown> | undefined;
    try {
      await service.query('BEGIN');
      await service.query('INSERT INTO effects VALUES (1)');
      stuck = service.query("INSERT INTO answers VALUES (1, 'held')").catch(() => 'ended');
      await hold.reached(5_000);
      // A write the condition does not pick is not held.
      await db.query('things', "INSERT INTO answers VALUES (2, 'other')");
      // The service dies while it waits (its socket goes, as with SIGKILL), then the grader lets go.
      (service as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    } finally {
      await hold.remove();
    }
    await stuck;
    expect(await db.query('things', 'SELECT id FROM effects'), 'the dead transaction’s first write must roll back').toEqual([]);
    expect(await db.query('things', 'SELECT id, who FROM answers ORDER BY id'), 'only the write that was not held').toEqual([{ id: 2, who: 'other' }]);
  });

  test('when nothing reaches the held write, then reached() says what it waited for', async () => {
    const hold = await holdWritesOf(db, 'things', { table: 'answers', when: "NEW.who = 'nobody'" });
    try {
      await expect(hold.reached(300)).rejects.toThrow(/a write to answers to reach the point the grader holds/);
    } finally {
      await hold.remove();
    }
  });
});
