import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failCommitsOf, holdWritesOf, sqlLiteral } from '#shared/harness/db-faults.ts';
import { eventually, whileProgressing } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { callsBehindLockedRow } from '#shared/harness/row-lock.ts';
import { expectConsistent } from './consistency.ts';
import { answerFor, SagaWorld } from './world.ts';

let world: SagaWorld;
const orders: string[] = [];
beforeAll(async () => {
  // A mutant another check caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  // One consumer in customer-service: messages are handled in the order they arrive, which the duplicate
  // test relies on. Concurrency has its own test file.
  world = await SagaWorld.start({ consumers: 1 });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('03', () => world?.timeline);

describe('lab 03: the Create Order saga, by choreography', () => {
  test('when the customer has enough credit, then the order is accepted with 202 and ends APPROVED with the credit reserved', async () => {
    const customerId = await world.createCustomer(10_000);
    const id = await world.acceptedOrder(customerId, 2_500);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state, `the order ended ${order.state}${order.rejectionReason ? ` (${order.rejectionReason})` : ''}`).toBe('APPROVED');
    expect((await world.customer(customerId)).creditReserved).toBe(2_500);
  });

  test('when the order exceeds the credit limit, then it ends REJECTED and no credit is held', async () => {
    const customerId = await world.createCustomer(1_000);
    const id = await world.acceptedOrder(customerId, 1_500);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state, 'an order above the credit limit must be rejected, and only once customer-service has answered').toBe('REJECTED');
    expect(order.rejectionReason ?? '', 'the rejection reason should name the credit limit').toContain('1000');
    expect((await world.customer(customerId)).creditReserved).toBe(0);
  });

  test('when the customer does not exist, then the order ends REJECTED', async () => {
    const id = await world.acceptedOrder(randomUUID(), 100);
    orders.push(id);
    const order = await world.settled(id);
    expect(order.state).toBe('REJECTED');
    expect(order.rejectionReason ?? '').toContain('does not exist');
  });

  test('when an approved order is cancelled, then its credit is released', async () => {
    const customerId = await world.createCustomer(5_000);
    const id = await world.acceptedOrder(customerId, 1_200);
    orders.push(id);
    expect((await world.settled(id)).state).toBe('APPROVED');
    const cancelled = await world.cancelOrder(id);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await eventually(async () => (await world.customer(customerId)).creditReserved === 0, { description: 'the cancelled order’s credit to be released' });
  });

  test('when an approved order is cancelled twice at once, then it is cancelled once and its credit released once', async () => {
    const customerId = await world.createCustomer(5_000);
    const id = await world.acceptedOrder(customerId, 800);
    orders.push(id);
    expect((await world.settled(id)).state).toBe('APPROVED');
    // Both cancels start while the grader holds the order's row: both have read it APPROVED before either wrote.
    const answers = await callsBehindLockedRow(world.world.addresses.databaseUrl('orders'), 'SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [id], [() => world.cancelOrder(id), () => world.cancelOrder(id)]);
    expect(answers.map((a) => a.status).sort(), 'one cancel should succeed (200) and the other be refused (409): lock the order while deciding (SELECT … FOR UPDATE), so the second cancel sees it CANCELLED').toEqual([200, 409]);
    const events = await world.world.query<{ type: string }>('orders', 'SELECT type FROM outbox WHERE aggregate_id = $1 ORDER BY id', [id]);
    expect(events.map((e) => e.type), 'one cancellation, one OrderCancelled: a second would release the credit twice').toEqual(['OrderCreated', 'OrderCancelled']);
    const { value: reserved } = await whileProgressing(async () => (await world.customer(customerId)).creditReserved, { final: (r) => r < 0, quiet: () => world.world.quiet() });
    expect(reserved, 'the cancelled order’s credit should be released exactly once').toBe(0);
  });

  test('when events are delivered twice, then nothing changes a second time', async () => {
    const customerId = await world.createCustomer(10_000);
    const first = await world.acceptedOrder(customerId, 300);
    orders.push(first);
    expect((await world.settled(first)).state).toBe('APPROVED');
    // Redeliver the saga's events exactly as they crossed the broker: same message ids, same bodies.
    const ofOrder = world.tap.messages.filter((m) => (m.body as { orderId?: string }).orderId === first);
    expect(ofOrder.map((m) => m.type).sort()).toEqual(['CreditReserved', 'OrderCreated']);
    await world.world.broker.redeliver([...ofOrder, ...ofOrder]);
    // A later order of the same customer: customer-service handles its queue in order, so once this one is
    // approved, the copies before it have been handled.
    const sentinel = await world.acceptedOrder(customerId, 1);
    orders.push(sentinel);
    expect((await world.settled(sentinel)).state).toBe('APPROVED');
    expect((await world.customer(customerId)).creditReserved, 'a redelivered OrderCreated must not reserve the credit again').toBe(301);
    expect((await world.order(first)).state).toBe('APPROVED');
  });

  test('when the input is invalid, then POST /orders answers 400 naming the field', async () => {
    const answer = await world.createOrder('nope', 5);
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe('customerId');
  });

  test('when the commit of a new order fails, then neither the order nor its OrderCreated event is kept', async () => {
    // Two customers nobody else uses mark the orders the faults are for: one fails the commit of its order
    // row, the other the commit of its event. Written in one transaction, each order rolls back whole;
    // written in two, one of the writes is left behind (whichever comes first).
    const [onOrder, onEvent] = [randomUUID(), randomUUID()];
    const faults = [
      await failCommitsOf(world.world, 'orders', { table: 'orders', when: `NEW.customer_id = ${sqlLiteral(onOrder)}` }),
      await failCommitsOf(world.world, 'orders', { table: 'outbox', when: `NEW.payload->>'customerId' = ${sqlLiteral(onEvent)}` }),
    ];
    try {
      for (const customerId of [onOrder, onEvent]) {
        const answer = await world.createOrder(customerId, 100);
        expect(answer.status, `POST /orders answered 202 although storing the order failed (the grader failed its commit): a client would poll an order that does not exist`).not.toBe(202);
      }
      expect(await Promise.all(faults.map((f) => f.fired())), 'the grader’s faults never tripped: does POST /orders write the order and append its OrderCreated event?').toEqual([1, 1]);
    } finally {
      for (const fault of faults) await fault.remove();
    }
    const kept = await world.world.query<{ what: string }>(
      'orders',
      `SELECT 'order ' || id AS what FROM orders WHERE customer_id = ANY($1::uuid[])
       UNION ALL SELECT 'event ' || type AS what FROM outbox WHERE payload->>'customerId' = ANY($1::text[])`,
      [[onOrder, onEvent]],
    );
    expect(kept.map((r) => r.what), 'a failed commit left half of the order behind (an order without its event, or an event without its order): insertOrder and appendToOutbox must go through the same transaction (one `tx` in POST /orders)').toEqual([]);
  });

  test('when an answer arrives for an order already decided, then the order keeps its state', async () => {
    const customerId = await world.createCustomer(1_000);
    const ids = [await world.acceptedOrder(customerId, 400), await world.acceptedOrder(customerId, 5_000), await world.acceptedOrder(customerId, 300)];
    orders.push(...ids);
    const [approved, rejected, cancelled] = ids as [string, string, string];
    expect((await world.settledAll(ids)).map((o) => o.state)).toEqual(['APPROVED', 'REJECTED', 'APPROVED']);
    expect((await world.cancelOrder(cancelled)).status).toBe(200);
    // Answers with fresh ids: not copies the processed-messages record drops, but answers that come too late
    // (or by mistake) for an order the saga already decided. Only a pending order may move.
    const reserved = await world.tap.waitFor((m) => m.type === 'CreditReserved' && (m.body as { orderId?: string }).orderId === approved);
    const exceeded = await world.tap.waitFor((m) => m.type === 'CustomerCreditLimitExceeded' && (m.body as { orderId?: string }).orderId === rejected);
    await world.world.broker.redeliver([answerFor(exceeded, approved), answerFor(reserved, rejected), answerFor(reserved, cancelled)]);
    const expected = ['APPROVED', 'REJECTED', 'CANCELLED'];
    const { value: states } = await whileProgressing(async () => (await Promise.all(ids.map((id) => world.order(id)))).map((o) => o.state), {
      final: (now) => now.join() !== expected.join(),
      quiet: () => world.world.quiet(),
    });
    expect(states, 'an answer moved an order the saga had already decided (approved, rejected, cancelled): only an APPROVAL_PENDING order may change on an answer; look at decide() and at handleCustomerEvent').toEqual(expected);
  });

  test('when customer-service fails between its credit change and its answer, then the saga still ends, and the credit moves once', async () => {
    const customerId = await world.createCustomer(1_000);
    // The first commit of each answer for this customer fails, as a crash at that moment would. The credit
    // change must roll back with it, so that the redelivered event does the whole step again.
    const onAnswer = { table: 'outbox', when: `NEW.payload->>'customerId' = ${sqlLiteral(customerId)}`, times: 1 };
    const reserving = await failCommitsOf(world.world, 'customers', onAnswer);
    let id: string;
    try {
      id = await world.acceptedOrder(customerId, 600);
      orders.push(id);
      const [order] = await world.settledAll([id]).catch((error: Error) => {
        throw new Error(`customer-service failed once between reserving the credit and answering, and the order never ended: the credit change and the answer must commit in one transaction (handleOnce and appendToOutbox on the same tx), so that the redelivered OrderCreated answers. ${error.message}`);
      });
      expect(await reserving.fired(), 'the grader’s fault never tripped: does customer-service append its answer to its outbox?').toBe(1);
      expect(order!.state).toBe('APPROVED');
      expect((await world.customer(customerId)).creditReserved, 'the credit was reserved twice (or not at all): the failed attempt’s change must roll back with its answer').toBe(600);
    } finally {
      await reserving.remove();
    }
    const releasing = await failCommitsOf(world.world, 'customers', onAnswer);
    try {
      expect((await world.cancelOrder(id)).status).toBe(200);
      const { value: reserved } = await whileProgressing(async () => (await world.customer(customerId)).creditReserved, { final: (r) => r < 0, quiet: () => world.world.quiet() });
      expect(await releasing.fired(), 'the grader’s fault never tripped: does customer-service answer OrderCancelled with CreditReleased through its outbox?').toBe(1);
      expect(reserved, 'after a failure between releasing the credit and answering, the credit should be released exactly once').toBe(0);
    } finally {
      await releasing.remove();
    }
  });

  test('when customer-service is SIGKILLed between its credit change and its answer, then the saga still ends, and the credit is reserved once', async () => {
    const customerId = await world.createCustomer(1_000);
    // customer-service stops at the write of its answer, after the credit change: the grader holds that write,
    // kills the service right there, and lets the database go on only once the process is gone.
    const hold = await holdWritesOf(world.world, 'customers', { table: 'outbox', when: `NEW.payload->>'customerId' = ${sqlLiteral(customerId)}` });
    let id: string;
    try {
      id = await world.acceptedOrder(customerId, 600);
      orders.push(id);
      await hold.reached();
      await world.customerService.kill();
    } finally {
      await hold.remove();
    }
    await world.customerService.restart();
    const [order] = await world.settledAll([id]).catch((error: Error) => {
      throw new Error(`customer-service was killed after changing the credit and before answering, and the order never ended: the credit change, the processed-message record and the answer must commit in one transaction, and the message be acked only after it (await the handler). ${error.message}`);
    });
    expect(order!.state).toBe('APPROVED');
    expect((await world.customer(customerId)).creditReserved, 'the credit should be reserved once: the killed attempt’s change must roll back with its answer').toBe(600);
  });

  test('when every test is done, then every saga ended and reserved credit equals the approved orders', async () => {
    // Sagas of its own as well, so that run alone (-t) it still judges something: three orders against a
    // limit that fits two, and one of the two approved then cancelled.
    const customerId = await world.createCustomer(1_000);
    const own = await Promise.all([400, 400, 400].map((total) => world.acceptedOrder(customerId, total)));
    orders.push(...own);
    const settled = await world.settledAll(own);
    const approved = settled.filter((o) => o.state === 'APPROVED');
    const rejected = settled.filter((o) => o.state === 'REJECTED');
    expect(approved.length, 'two orders of 400 fit in a limit of 1000, the third does not').toBe(2);
    expect((await world.cancelOrder(approved[0]!.id)).status).toBe(200);
    const cancelRejected = await world.cancelOrder(rejected[0]!.id);
    expect(cancelRejected.status, `a rejected order holds no credit and cannot be cancelled (409); it answered ${cancelRejected.status}: a cancel would release credit it never held`).toBe(409);
    await expectConsistent(world, orders);
  });
});
