import amqp from 'amqplib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNamespace, type Namespace } from '#shared/harness/namespace.ts';

// These checks need nothing from you: they prove the kit can reach the services every later lab uses.
// If they fail, run `npm run doctor`: it says which service is missing and how to start it.
let ns: Namespace;
beforeAll(async () => {
  ns = await createNamespace('00');
});
afterAll(async () => {
  await ns?.drop();
});

describe('lab 00: PostgreSQL and RabbitMQ answer', () => {
  test('when the grader creates its own database, then it can write a row and read it back', async () => {
    const url = await ns.createDatabase('setup');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE greetings (id serial PRIMARY KEY, text text NOT NULL)');
      await client.query('INSERT INTO greetings (text) VALUES ($1)', ['hello from lab 00']);
      const { rows } = await client.query<{ text: string }>('SELECT text FROM greetings');
      expect(rows.map((r) => r.text)).toEqual(['hello from lab 00']);
    } finally {
      await client.end();
    }
  });

  test('when a message is published to RabbitMQ, then a consumer receives it', async () => {
    const connection = await amqp.connect(ns.amqpUrl, { noDelay: true });
    try {
      const channel = await connection.createConfirmChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      const received = new Promise<string>((resolve) => {
        void channel.consume(queue, (message) => message && resolve(message.content.toString()), { noAck: true });
      });
      channel.sendToQueue(queue, Buffer.from(`hello ${ns.id}`));
      await channel.waitForConfirms();
      await expect(received).resolves.toBe(`hello ${ns.id}`);
    } finally {
      await connection.close();
    }
  });
});
