import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from './child-service.ts';
import { eventually } from './eventually.ts';
import { describeWatchedQueues } from './queue-report.ts';
import { startWorld, type World } from './world.ts';

let world: World | undefined;
let client: ChannelModel;

beforeAll(async () => {
  // A world without services: the report must come from the world itself, with no per-lab code.
  world = await startWorld({ lab: 'qreport', services: [] });
  client = await connect(world.ns.amqpUrl);
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await world?.stop();
});

describe('where messages waited, when a check fails', () => {
  test('when a message waits unread and another is held unacked, then the report names both queues with their counts', async () => {
    const ns = world!.ns.id;
    const channel = await client.createChannel();
    await channel.assertQueue(`${ns}.orders.created`, { durable: true });
    await channel.assertQueue(`${ns}.payments.requested`, { durable: true });
    await channel.assertQueue(`${ns}.stock.reserved`, { durable: true });
    channel.sendToQueue(`${ns}.orders.created`, Buffer.from('{}'), { persistent: true });
    channel.sendToQueue(`${ns}.payments.requested`, Buffer.from('{}'), { persistent: true });
    // A consumer that takes the message and never acks it: the stalled handler a failing check could hide.
    const holder = await client.createChannel();
    await holder.consume(`${ns}.payments.requested`, () => {}, { noAck: false });
    await holder.consume(`${ns}.stock.reserved`, () => {}, { noAck: false });

    // The management API samples its counts every few seconds: wait for the sample that has them.
    const report = await eventually(
      async () => {
        const text = (await describeWatchedQueues()) ?? '';
        expect(text).toMatch(/orders\.created +1 +0 +0 {2}<- no consumer/);
        expect(text).toMatch(/payments\.requested +0 +1 +1 {2}<- held by a consumer, not acked/);
        return text;
      },
      { timeoutMs: 20_000, intervalMs: 500, description: 'the report shows the waiting and the held message' },
    );
    expect(report.split('\n')[0], 'a world corrects the sampled counts with those of now').toBe('where messages waited in RabbitMQ (ready and consumers now, unacked as sampled seconds ago):');
    expect(report, 'an empty queue with its consumer is only counted').not.toContain('stock.reserved');
    expect(report).toContain('1 more queue, empty');
    console.log(`queue report sample:\n${report}`);
  });

  test('when the management API does not answer, then the report is one line saying so, not an error', async () => {
    // A free port, so nothing listens on it: refused at once (fetch itself refuses well-known ports like 9).
    const port = await freePort();
    const report = await describeWatchedQueues(500, { ...process.env, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${port}/` });
    expect(report).toBe(`where messages waited in RabbitMQ: not known (RabbitMQ's management API does not answer at http://127.0.0.1:${port} (ECONNREFUSED))`);
  });

  test('when the world has stopped, then it is no longer reported', async () => {
    await world!.stop();
    world = undefined;
    expect(await describeWatchedQueues()).toBeUndefined();
  });
});
