import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { expectEffectsExactlyOnce } from '../../02-outbox/grader/effects.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { OutboxWorld } from '../../02-outbox/grader/world.ts';

/**
 * What only a log-tailing relay has: a slot whose position is the relay's promise ("everything before this
 * is safely in RabbitMQ"), one reader per slot with the others standing by, and an outbox that may be purged
 * before its rows are relayed. Retention 0 with a fast purge, so the purge runs during every test here.
 */
let world: OutboxWorld | undefined;
beforeAll(async () => {
  world = await OutboxWorld.start({
    lab: '02b-log-tailing',
    relayEntry: 'wal-relay/index.ts',
    servicesFrom: { lab: '02-outbox', tree: 'solutions' },
    relayEnv: { OUTBOX_RETENTION_MS: '0', OUTBOX_PURGE_EVERY_MS: '200' },
    runRelayOnceFirst: true,
  });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('02b', () => world?.timeline);
const w = () => world!;

/** Whether the slot of order-service's database has confirmed a position past `lsn`. */
async function slotPassed(client: pg.Client, lsn: string): Promise<boolean> {
  const { rows } = await client.query<{ passed: boolean | null }>(
    'SELECT bool_or(confirmed_flush_lsn > $1::pg_lsn) AS passed FROM pg_replication_slots WHERE database = current_database()',
    [lsn],
  );
  return rows[0]?.passed === true;
}

async function currentWalLsn(): Promise<string> {
  const rows = await w().queryOrders<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return rows[0]!.lsn;
}

const ofCustomer = (customerId: string) => (m: { body: unknown }) => (m.body as { customerId?: string }).customerId === customerId;

describe('lab 02b: the slot and the write-ahead log', () => {
  test('when RabbitMQ confirms slowly, then the slot’s position never passes a message RabbitMQ has not confirmed', async () => {
    if (w().relays.every((r) => r.exited)) await w().startRelay();
    const customerId = await w().createCustomer();
    const warmUp = await w().createOrder(customerId, 5);
    expect(warmUp.status).toBe(201);
    await w().tap.waitFor((m) => (m.body as { orderId?: string }).orderId === warmUp.body.id, 10_000);

    // Every byte between relay and RabbitMQ now waits `latency` ms each way, so the confirm of an order
    // committed after `sent` cannot reach the relay before `sent + 2 * latency`.
    const latency = 750;
    const before = await currentWalLsn();
    w().brokerProxy.setLatency(latency);
    const client = new pg.Client({ connectionString: w().databases.orders });
    await client.connect();
    try {
      const sent = Date.now();
      const created = w().createOrder(customerId, 6);
      let acknowledgedTooEarly = false;
      while (Date.now() < sent + 2 * latency - 50) {
        const passed = await slotPassed(client, before);
        // Read before the confirm could possibly have arrived: a position past the order is a promise the relay
        // could not keep if it crashed now.
        if (passed && Date.now() < sent + 2 * latency) acknowledgedTooEarly = true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await created).status).toBe(201);
      expect(acknowledgedTooEarly, 'the slot was acknowledged past an order whose message RabbitMQ had not confirmed yet: acknowledge a commit only once every message up to it is confirmed').toBe(false);
      w().brokerProxy.setLatency(0);
      await w().tap.waitFor((m) => ofCustomer(customerId)(m) && (m.body as { total?: number }).total === 6, 10_000);
      await eventually(() => slotPassed(client, before), {
        timeoutMs: 10_000,
        description: 'the slot to be acknowledged past the order once RabbitMQ confirmed it (without acknowledging, PostgreSQL keeps all WAL and resends everything after each restart)',
      });
    } finally {
      w().brokerProxy.setLatency(0);
      await client.end();
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
