import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HeldAnswers, SeenPublish } from '#shared/harness/amqp-frame-proxy.ts';
import { eventually, within } from '#shared/harness/eventually.ts';
import { expectEffectsExactlyOnce } from '../../02-outbox/grader/effects.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { eventOf, startWorldBehindFrames, stopWorldBehindFrames, type WorldBehindFrames } from './behind-frames.ts';
import { Slot, askRelaysForRepliesEvery } from './slot.ts';

/**
 * What only a log-tailing relay has: a slot whose position is the relay's promise ("everything before this
 * is safely in RabbitMQ"), one reader per slot with the others standing by, and an outbox that may be purged
 * before its rows are relayed. Retention 0 with a fast purge, so the purge runs during every test here.
 * Relays reach RabbitMQ through lab 02's fault proxy and then an AMQP frame proxy, which can hold RabbitMQ's
 * confirms back; PostgreSQL asks each relay for its position every second, so the grader knows when a relay
 * has read what it was streamed.
 */
let started: WorldBehindFrames | undefined;
beforeAll(async () => {
  started = await startWorldBehindFrames({ OUTBOX_RETENTION_MS: '0', OUTBOX_PURGE_EVERY_MS: '200' });
  await askRelaysForRepliesEvery(started.world.databases.orders, 1_000);
});
afterAll(() => stopWorldBehindFrames(started));
writeTimelineOnFailure('02b', () => started?.world.timeline);
const w = () => started!.world;
const frames = () => started!.frames;

/** A message of the customer's order (of `type`, named first in the routing key). A fresh customer's first is its OrderCreated. */
const ofCustomer = (customerId: string, type?: string) => (p: SeenPublish) => eventOf<{ customerId?: string }>(p).customerId === customerId && (!type || p.routingKey.split('.')[0] === type);

describe('lab 02b: the slot and the write-ahead log', () => {
  test('when RabbitMQ confirms slowly, then the slot’s position never passes a message RabbitMQ has not confirmed', async () => {
    if (w().relays.every((r) => r.exited)) await w().startRelay();
    const [warm, first, second] = await Promise.all([w().createCustomer(), w().createCustomer(), w().createCustomer()]);
    const slot = await Slot.open(w().databases.orders);
    let createdHeld: HeldAnswers | undefined;
    let cancelHeld: HeldAnswers | undefined;
    try {
      // The relay streams, and every acknowledgement it owes is made: none is under way when the holds begin.
      const beforeWarmUp = await slot.walEnd();
      expect((await w().createOrder(warm, 5)).status).toBe(201);
      await eventually(() => slot.passed(beforeWarmUp), { timeoutMs: 10_000, description: 'the slot to be acknowledged past a first order once RabbitMQ confirmed it' });

      // RabbitMQ takes the first order's OrderCreated, and the relay hears nothing of it. Meanwhile the order is
      // cancelled (its OrderCancelled must wait for that confirm) and a second order is created (it need not).
      createdHeld = frames().holdAnswers({ from: ofCustomer(first) });
      const beforeOrder = await slot.walEnd();
      const order = await w().createOrder(first, 6);
      expect(order.status).toBe(201);
      await within(createdHeld.started, 10_000, 'the relay to publish the order’s OrderCreated');
      const beforeCancel = await slot.walEnd();
      expect((await w().cancelOrder(order.body.id as string)).status).toBe(200);
      const beforeSecond = await slot.walEnd();
      expect((await w().createOrder(second, 7)).status).toBe(201);
      await slot.relayHasCaughtUp('while RabbitMQ’s confirm of the OrderCreated is held');
      expect(await slot.passed(beforeOrder), 'the slot was acknowledged past an order whose message RabbitMQ had not confirmed: acknowledge a commit only once every message up to it is confirmed').toBe(false);

      // The second order's message is confirmed while the confirm of the first one is still held back. The
      // relay published it on reading its commit, after the cancel's: had the cancel gone out, it would show.
      await within(createdHeld.answered(ofCustomer(second)), 10_000, 'the relay to publish the second order’s OrderCreated while the first one’s confirm is held (a message waits only for earlier messages of its own order), and RabbitMQ to confirm it');
      expect(createdHeld.published(ofCustomer(first, 'OrderCancelled')), 'the OrderCancelled was published while the OrderCreated before it was unconfirmed: publish an order’s next message only once its previous one is confirmed').toBe(false);
      // Then the OrderCreated's confirm goes, and the second order's with it; the OrderCancelled's is held in
      // turn. The second order is confirmed, the cancel committed before it is not.
      cancelHeld = frames().holdAnswers({ from: ofCustomer(first, 'OrderCancelled') });
      createdHeld.release();
      await within(cancelHeld.started, 10_000, 'the relay to publish the OrderCancelled once the OrderCreated before it was confirmed');
      await slot.relayHasCaughtUp('while RabbitMQ’s confirm of the OrderCancelled is held');
      expect(await slot.passed(beforeCancel), 'the slot was acknowledged past a cancel whose message RabbitMQ had not confirmed (the order after it was confirmed, the cancel not): acknowledge in commit order, never past the oldest transaction not confirmed yet').toBe(false);
      expect(await slot.passed(beforeOrder), 'the slot was not acknowledged past the order once RabbitMQ confirmed its message (without acknowledging, PostgreSQL keeps all WAL and resends everything after each restart)').toBe(true);

      cancelHeld.release();
      await eventually(() => slot.passed(beforeSecond), { timeoutMs: 10_000, description: 'the slot to be acknowledged past the second order once RabbitMQ confirmed every message up to it' });
    } finally {
      // A check that failed midway must not leave the relays without confirms for the checks after it.
      createdHeld?.release();
      cancelHeld?.release();
      await slot.close();
    }
  });

  test('when the streaming relay is SIGKILLed, then the standby takes the slot over and every order takes effect once', async () => {
    if (w().relays.every((r) => r.exited)) await w().startRelay();
    const streaming = w().relays.find((r) => !r.exited)!;
    const standby = await w().startRelay();
    const customers = await Promise.all(Array.from({ length: 4 }, () => w().createCustomer()));
    const committed = await w().createOrders(customers, 300, {
      onProgress: (done) => {
        if (done === 100) void streaming.kill();
      },
    });
    await expectEffectsExactlyOnce(w(), committed);
    expect(streaming.exited).toBe(true);
    expect(standby.exited, 'the standby relay must keep running, not crash, while another relay holds the slot').toBe(false);
  });

  test('when outbox rows are purged before RabbitMQ took their messages, then the messages still go out from the WAL', async () => {
    if (w().relays.every((r) => r.exited)) await w().startRelay();
    const customers = await Promise.all(Array.from({ length: 2 }, () => w().createCustomer()));
    w().brokerProxy.refuse(true);
    w().brokerProxy.cut();
    try {
      const committed = await w().createOrders(customers, 50);
      await eventually(async () => Number((await w().queryOrders<{ count: string }>('SELECT count(*) FROM outbox'))[0]?.count) === 0, {
        timeoutMs: 10_000,
        description: 'the relay to purge the outbox (OUTBOX_RETENTION_MS=0)',
      });
      w().brokerProxy.refuse(false);
      await expectEffectsExactlyOnce(w(), committed);
    } finally {
      w().brokerProxy.refuse(false);
    }
  });
});
