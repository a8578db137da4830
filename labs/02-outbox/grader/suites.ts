import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failCommitsOf, sqlLiteral } from '#shared/harness/db-faults.ts';
import { eventually, whileProgressing } from '#shared/harness/eventually.ts';
import { expectEffectsExactlyOnce } from './effects.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { EXCHANGE, OutboxWorld, randomPause, type Committed, type WorldOptions } from './world.ts';

/**
 * The grader's checks, written once and used by lab 02 (polling relay) and lab 02b (log-tailing relay):
 * both relays must give the same guarantees.
 */
function useWorld(options: WorldOptions): () => OutboxWorld {
  let world: OutboxWorld | undefined;
  beforeAll(async () => {
    // A mutant another check caught already: every check here will be skipped, so start nothing.
    if (mutantAlreadyCaught()) return;
    world = await OutboxWorld.start(options);
  });
  afterAll(async () => {
    await world?.stop();
  });
  writeTimelineOnFailure(options.lab.slice(0, 3), () => world?.timeline);
  return () => world!;
}

const count = (committed: Committed) => [...committed.values()].reduce((sum, c) => sum + c.orders, 0);

function lab(options: WorldOptions): string {
  return `lab ${options.lab.slice(0, 3).replace(/-$/, '')}`;
}

/**
 * Orders per chaos run, at the least: enough that faults land in the middle of batches, not between them.
 * A chaos run then keeps creating orders until at least MIN_FAULTS faults landed while they flowed, so a slow
 * machine (where a restart takes seconds) gets as many faults as a fast one, and a fast one no more orders.
 */
export const CHAOS_ORDERS = 500;
const MIN_FAULTS = 3;

export function outboxSuite(options: WorldOptions): void {
  const world = useWorld(options);

  describe(`${lab(options)}: the outbox and the relay`, () => {
    test('when an order is created, then the order and its OrderCreated event are committed together', async () => {
      const customerId = await world().createCustomer();
      const { status, body } = await world().createOrder(customerId, 42);
      expect(status, JSON.stringify(body)).toBe(201);
      const rows = await world().queryOrders<{ type: string; payload: { orderId: string; total: number } }>('SELECT type, payload FROM outbox WHERE aggregate_id = $1', [body.id]);
      expect(rows.map((r) => r.type), 'the outbox should hold exactly one OrderCreated event for the new order').toEqual(['OrderCreated']);
      expect(rows[0]!.payload).toMatchObject({ orderId: body.id, total: 42 });
    });

    test('when the order’s transaction rolls back, then its event is never published', async () => {
      // The fault: a constraint checked at COMMIT rejects orders of 13 cents, after every statement ran.
      await world().queryOrders(`
        CREATE OR REPLACE FUNCTION kit_unlucky() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.total = 13 THEN RAISE EXCEPTION 'injected fault: order of 13 cents rejected at commit'; END IF; RETURN NEW; END $$;
        DROP TRIGGER IF EXISTS kit_unlucky ON orders;
        CREATE CONSTRAINT TRIGGER kit_unlucky AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kit_unlucky();`);
      if (world().relays.length === 0) await world().startRelay();
      const [unlucky, lucky] = await Promise.all([world().createCustomer(), world().createCustomer()]);
      const failed = await world().createOrder(unlucky, 13);
      expect(failed.status, 'the rolled-back order should fail with a 500').toBe(500);
      const ok = await world().createOrder(lucky, 14);
      expect(ok.status).toBe(201);
      // Wait until every event committed in the outbox has crossed the exchange, then look for the unlucky one.
      const committed = await world().queryOrders<{ message_id: string }>('SELECT message_id FROM outbox');
      const tapped = () => new Set(world().tap.messages.map((m) => m.id));
      const relayed = await world().relayedOrQuiet(() => committed.every((row) => tapped().has(row.message_id)));
      expect(relayed, 'the relay should publish every committed event').toBe(true);
      await world().queryOrders('DROP TRIGGER kit_unlucky ON orders');
      const leaked = world().tap.messages.filter((m) => (m.body as { customerId?: string }).customerId === unlucky);
      expect(leaked.map((m) => m.type), 'an event of a rolled-back order was published: it must be written in the same transaction as the order').toEqual([]);
    });

    test('when two relays run and orders are created then cancelled, then each order’s events arrive in the order they were written', async () => {
      while (world().relays.length < 2) await world().startRelay();
      const customerId = await world().createCustomer();
      const orderIds = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const created = await world().createOrder(customerId, 20 + i);
          expect(created.status).toBe(201);
          const cancelled = await world().cancelOrder(created.body.id as string);
          expect(cancelled.status).toBe(200);
          return created.body.id as string;
        }),
      );
      const ofOrder = (orderId: string) => world().tap.messages.filter((m) => (m.body as { orderId?: string }).orderId === orderId).map((m) => m.type);
      const relayed = await world().relayedOrQuiet(() => orderIds.every((id) => ofOrder(id).length >= 2));
      expect(relayed, 'both events of every order should be published').toBe(true);
      const outOfOrder = orderIds.filter((id) => ofOrder(id).indexOf('OrderCreated') > ofOrder(id).indexOf('OrderCancelled'));
      expect(outOfOrder, 'these orders had OrderCancelled published before OrderCreated').toEqual([]);
      await expectEffectsExactlyOnce(world(), new Map([[customerId, { orders: 40, total: 0 }]]));
    });
  });
}

export function relayChaosSuite(options: WorldOptions): void {
  const world = useWorld(options);

  describe(`${lab(options)}: the relay under faults`, () => {
    test('when the relay is SIGKILLed at random moments while orders are created, then every order takes effect exactly once', async () => {
      const customers = await Promise.all(Array.from({ length: 8 }, () => world().createCustomer()));
      let relay = await world().startRelay();
      let creating = true;
      let kills = 0;
      const killer = (async () => {
        while (creating) {
          await randomPause(50, 300);
          await relay.kill();
          kills += 1;
          relay = await relay.restart();
        }
      })();
      const committed = await world()
        .createOrders(customers, CHAOS_ORDERS, { moreWhile: () => kills < MIN_FAULTS })
        .finally(() => (creating = false));
      await killer;
      await expectEffectsExactlyOnce(world(), committed);
      const duplicates = world().tap.messages.length - new Set(world().tap.messages.map((m) => m.id)).size;
      console.info(`${lab(options)}: relay SIGKILLed ${kills} times during ${count(committed)} orders; ${duplicates} duplicate deliveries absorbed; no effect lost or doubled`);
      expect(kills).toBeGreaterThan(0);
    });

    test('when the relay’s connection to RabbitMQ is cut mid-stream, then it reconnects and every order takes effect exactly once', async () => {
      const customers = await Promise.all(Array.from({ length: 8 }, () => world().createCustomer()));
      if (world().relays.every((r) => r.exited)) await world().startRelay();
      // A little latency keeps messages in flight, so each cut catches some between relay and broker.
      world().brokerProxy.setLatency(3);
      let creating = true;
      let cuts = 0;
      const cutter = (async () => {
        while (creating) {
          await randomPause(80, 250);
          cuts += world().brokerProxy.cut() > 0 ? 1 : 0;
        }
      })();
      const committed = await world()
        .createOrders(customers, CHAOS_ORDERS, { moreWhile: () => cuts < MIN_FAULTS })
        .finally(() => (creating = false));
      await cutter;
      world().brokerProxy.setLatency(0);
      await expectEffectsExactlyOnce(world(), committed);
      console.info(`${lab(options)}: relay connection cut ${cuts} times during ${count(committed)} orders; no effect lost or doubled`);
    });

    test('when RabbitMQ is unreachable for a while, then the outbox keeps the backlog and the relay drains it afterwards', async () => {
      const customers = await Promise.all(Array.from({ length: 4 }, () => world().createCustomer()));
      if (world().relays.every((r) => r.exited)) await world().startRelay();
      world().brokerProxy.refuse(true);
      world().brokerProxy.cut();
      const committed = await world().createOrders(customers, 300);
      const seenBefore = world().tap.messages.length;
      world().brokerProxy.refuse(false);
      await expectEffectsExactlyOnce(world(), committed);
      console.info(`${lab(options)}: 300 orders committed while RabbitMQ was unreachable; all published once it came back (${world().tap.messages.length - seenBefore} messages)`);
    });

    test('when two relays run side by side, then every event is published once and takes effect once', async () => {
      while (world().relays.filter((r) => !r.exited).length < 2) await world().startRelay();
      const customers = await Promise.all(Array.from({ length: 8 }, () => world().createCustomer()));
      const before = new Set(world().tap.messages.map((m) => m.id));
      const committed = await world().createOrders(customers, CHAOS_ORDERS);
      await expectEffectsExactlyOnce(world(), committed);
      const fresh = world().tap.messages.filter((m) => !before.has(m.id) && customers.includes((m.body as { customerId: string }).customerId));
      const duplicated = fresh.length - new Set(fresh.map((m) => m.id)).size;
      expect(duplicated, 'without faults, two relays must never publish the same event twice (claim rows with FOR UPDATE SKIP LOCKED)').toBe(0);
    });
  });
}

export function consumerSuite(options: WorldOptions): void {
  const world = useWorld(options);

  /** Publishes a raw message to the events exchange, as a relay (or a buggy producer) would. */
  const publishRaw = (routingKey: string, content: string, messageId: string, type: string) =>
    world().world.broker.publish(EXCHANGE, routingKey, content, { messageId, type, contentType: 'application/json' });

  const orderCreated = (customerId: string, total: number, id = randomUUID()) => ({
    id,
    body: JSON.stringify({ orderId: randomUUID(), customerId, total }),
  });

  describe(`${lab(options)}: the idempotent consumer`, () => {
    test('when the same event is delivered twice, then it takes effect once', async () => {
      const customerId = await world().createCustomer();
      const event = orderCreated(customerId, 100);
      await publishRaw(`OrderCreated.${customerId}`, event.body, event.id, 'OrderCreated');
      await publishRaw(`OrderCreated.${customerId}`, event.body, event.id, 'OrderCreated');
      // A later, different event: once it took effect, both copies before it have been handled.
      const sentinel = orderCreated(customerId, 1);
      await publishRaw(`OrderCreated.${customerId}`, sentinel.body, sentinel.id, 'OrderCreated');
      await eventually(async () => (await world().customer(customerId)).creditReserved % 100 === 1, { timeoutMs: 10_000, description: 'the later event to take effect' });
      expect(await world().customer(customerId), 'a redelivered event must change nothing: record the message id in the same transaction as the effect').toMatchObject({
        ordersSeen: 2,
        creditReserved: 101,
      });
    });

    test('when the handler’s transaction fails, then the event is tried again, not acked and lost', async () => {
      const customerId = await world().createCustomer();
      // The first commit of this customer's credit change fails, as a lost database connection would make it.
      const fault = await failCommitsOf(world().world, 'customers', { table: 'customers', on: 'UPDATE', when: `NEW.id = ${sqlLiteral(customerId)}`, times: 1 });
      try {
        const event = orderCreated(customerId, 55);
        await publishRaw(`OrderCreated.${customerId}`, event.body, event.id, 'OrderCreated');
        const { value } = await whileProgressing(() => world().customer(customerId), { final: (c) => c.ordersSeen > 0, quiet: () => world().world.quiet() });
        expect(await fault.fired(), 'the grader’s fault never tripped: does the handler change the customer’s row?').toBe(1);
        expect(value, 'an event whose transaction failed was acked and never applied: let the error reach the consumer (do not catch it in the handler), so that the message is retried').toMatchObject({ ordersSeen: 1, creditReserved: 55 });
      } finally {
        await fault.remove();
      }
    });

    test('when a poison message arrives, then it is dead-lettered and the messages after it are still processed', async () => {
      const customerId = await world().createCustomer();
      await publishRaw(`OrderCreated.${customerId}`, '{ this is not json', randomUUID(), 'OrderCreated');
      await publishRaw(`OrderCreated.${customerId}`, JSON.stringify({ orderId: 'not-a-uuid', customerId, total: -1 }), randomUUID(), 'OrderCreated');
      const good = orderCreated(customerId, 7);
      await publishRaw(`OrderCreated.${customerId}`, good.body, good.id, 'OrderCreated');
      await eventually(async () => (await world().customer(customerId)).ordersSeen === 1, { timeoutMs: 10_000, description: 'the valid message after the poison ones to take effect' });
      const connection = await amqp.connect(world().ns.amqpUrl);
      try {
        const channel = await connection.createChannel();
        const dead = `${world().ns.id}.customer-service.order-events.dead`;
        await eventually(async () => (await channel.checkQueue(dead)).messageCount >= 2, { timeoutMs: 5_000, description: `both poison messages to reach ${dead}` });
      } finally {
        await connection.close();
      }
      expect(world().customerService.exited, 'customer-service must not crash on bad input').toBe(false);
    });
  });
}

/**
 * customer-service SIGKILLed while events flow: in a file of its own (lab 02's consumer-crash.int.test.ts),
 * so that it runs beside the quick consumer checks rather than after them.
 */
export function consumerCrashSuite(options: WorldOptions): void {
  const world = useWorld(options);

  describe(`${lab(options)}: the idempotent consumer under crashes`, () => {
    test('when customer-service is SIGKILLed at random moments while events flow, then every order takes effect exactly once', async () => {
      if (world().relays.length === 0) await world().startRelay();
      const customers = await Promise.all(Array.from({ length: 8 }, () => world().createCustomer()));
      let creating = true;
      let kills = 0;
      const killer = (async () => {
        while (creating) {
          // Long enough up between kills to get work done: a restart itself takes most of a second.
          await randomPause(250, 700);
          await world().customerService.kill();
          kills += 1;
          await world().restartCustomerService();
        }
      })();
      const committed = await world()
        .createOrders(customers, CHAOS_ORDERS, { moreWhile: () => kills < MIN_FAULTS })
        .finally(() => (creating = false));
      await killer;
      await expectEffectsExactlyOnce(world(), committed);
      console.info(`${lab(options)}: customer-service SIGKILLed ${kills} times during ${count(committed)} orders; no effect lost or doubled`);
    });
  });
}
