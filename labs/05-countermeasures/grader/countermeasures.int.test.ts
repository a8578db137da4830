import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { commutativeUpdatesChecks } from './commutative-checks.ts';
import { acceptedRevision, approvedOrder, revise, reviseWhileRevising } from './reread-value.ts';
import { cancelOvertakesAuthorize, cancelWhileCreating, spendWhileCancelling } from './scenarios.ts';
import { CountermeasuresWorld, describeHistory, type Saga } from './world.ts';

let world: CountermeasuresWorld;
beforeAll(async () => {
  // A mutant a decision table caught already: every check here will be skipped, so start nothing.
  if (mutantAlreadyCaught()) return;
  world = await CountermeasuresWorld.start('target');
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('05', () => world?.timeline);

const steps = (saga: Saga) => saga.history.filter((h) => h.kind === 'command' || h.kind === 'local').map((h) => h.messageType);

/** Cancels an approved order and insists that the Cancel Order saga completes. */
async function cancelled(orderId: string): Promise<Saga> {
  const answer = await world.cancel(orderId);
  expect(answer.status, `cancelling an APPROVED order starts the Cancel Order saga: ${JSON.stringify(answer.body)}`).toBe(202);
  expect(answer.body.state).toBe('CANCEL_PENDING');
  const saga = await world.ended(answer.body.sagaId as string);
  expect(saga.state, describeHistory(saga)).toBe('COMPLETED');
  return saga;
}

// Each check has its own customer and orders, and holds match only its own sagas: they run side by side.
describe.concurrent('lab 05: each anomaly prevented by its countermeasure (your tree)', () => {
  test('semantic lock: when a cancel lands while Create Order is approving, then it answers 409 with a retry hint and changes nothing; the order is approved, and cancelled once unlocked', async ({ expect }) => {
    const seen = await cancelWhileCreating(world);
    const { status, retryAfter, body } = seen.cancelWhilePending;
    expect(status, `an APPROVAL_PENDING order is locked by its saga: ${JSON.stringify(body)}`).toBe(409);
    expect(Number(retryAfter), 'a locked order says when to try again (Retry-After, in seconds)').toBeGreaterThan(0);
    expect(body.state).toBe('APPROVAL_PENDING');
    expect(seen.cancelSaga, 'no Cancel Order saga may start on a locked order').toBeUndefined();
    expect(seen.createSaga.state, describeHistory(seen.createSaga)).toBe('COMPLETED');
    expect(seen.order).toBe('APPROVED');
    expect(seen.creditReserved).toBe(seen.total);
    expect(seen.authorization).toBe('AUTHORIZED');

    const { orderId, customerId } = seen;
    await cancelled(orderId);
    expect((await world.order(orderId)).state).toBe('CANCELLED');
    expect(await world.creditReserved(customerId)).toBe(0);
    expect(await world.authorization(orderId), 'in order, a cancel still releases the money').toBe('CANCELLED');
    expect(await world.ticket(orderId)).toBe('CANCELLED');
    // Where the cancel frees the credit is step 2's lesson, judged by the pessimistic view's own check, not here:
    // a learner done with the lock alone sees this check pass.
  });

  test('pessimistic view: when an order is created while another is being cancelled, then it cannot spend credit the cancel has not freed for good, and a refused cancel leaves the customer within the limit', async ({ expect }) => {
    const seen = await spendWhileCancelling(world);
    expect(seen.creditWhileCancelling, 'before the pivot, the cancelled order’s credit is still reserved').toBe(616);
    expect(seen.orderB, 'order B finds no credit to spend while A might still stay').toBe('REJECTED');
    expect(seen.cancelSaga.state, describeHistory(seen.cancelSaga)).toBe('COMPENSATED');
    expect(steps(seen.cancelSaga), 'a refused cancel has no credit to give back').not.toContain('ReinstateCredit');
    expect(seen.orderA, 'the kitchen refused: order A stays approved').toBe('APPROVED');
    expect(seen.creditAfter).toBe(616);
  });

  test('reread value: when a revision lands while Revise Order is between its read and its write, then the held revise rereads a changed version, aborts and undoes its credit; the order keeps the revision that landed, and its credit matches', async ({ expect }) => {
    const seen = await reviseWhileRevising(world);
    expect(seen.second.state, describeHistory(seen.second)).toBe('COMPLETED');
    expect(seen.first.state, `the held revise must abort, its read is stale: ${describeHistory(seen.first)}`).toBe('COMPENSATED');
    expect(steps(seen.first), 'an aborted revise gives back the credit it reserved').toContain('UndoCreditRevision');
    expect(seen.order.total, 'the revision that landed meanwhile is kept').toBe(seen.secondTotal);
    expect(seen.order.state).toBe('APPROVED');
    expect(seen.creditReserved, 'the reserved credit is the order’s total').toBe(seen.secondTotal);
  });

  test('reread value: when an order is revised up, then down, or beyond the credit limit, or with bad input, then each answers as it should: completed with the credit following the total, refused for lack of credit, 400 naming the field, 404, 409', async ({ expect }) => {
    const { orderId, customerId } = await approvedOrder(world, 3_000, 1_000);
    const version = (await world.order(orderId)).version;
    expect((await world.ended(await acceptedRevision(world, orderId, 2_500))).state).toBe('COMPLETED');
    expect(await world.order(orderId)).toMatchObject({ total: 2_500, state: 'APPROVED', version: version + 1 });
    expect(await world.creditReserved(customerId)).toBe(2_500);
    const lower = await world.ended(await acceptedRevision(world, orderId, 400));
    expect(lower.state, describeHistory(lower)).toBe('COMPLETED');
    // A decrease frees credit only after the pivot, where nothing is undone (a pessimistic view).
    expect(await world.creditReserved(customerId)).toBe(400);
    const tooMuch = await world.ended(await acceptedRevision(world, orderId, 3_001));
    expect(tooMuch.state, `over the limit: ${describeHistory(tooMuch)}`).toBe('COMPENSATED');
    expect((await world.order(orderId)).total, 'a refused revision changes nothing').toBe(400);
    expect(await world.creditReserved(customerId)).toBe(400);

    for (const [body, field] of [[{ total: -5 }, 'total'], [{ total: 'lots' }, 'total'], [{}, 'total']] as const) {
      const bad = await revise(world, orderId, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.field).toBe(field);
    }
    const badId = await revise(world, 'nope', { total: 100 });
    expect(badId.status).toBe(400);
    expect(badId.body.field).toBe('id');
    expect((await revise(world, randomUUID(), { total: 100 })).status).toBe(404);
    // The semantic lock still holds: an order a saga holds cannot be revised until it ends.
    const big = await world.acceptedOrder(customerId, 80_000);
    await world.ended(big.sagaId);
    const rejected = await revise(world, big.orderId, { total: 100 });
    expect(rejected.status, `a rejected order cannot be revised: ${JSON.stringify(rejected.body)}`).toBe(409);
    expect(rejected.retryAfter, 'a rejected order will never be revisable: no retry hint').toBeNull();
    const highValue = await world.acceptedOrder(await world.createCustomer(200_000), 80_000);
    await world.ended(highValue.sagaId);
    const locked = await revise(world, highValue.orderId, { total: 90_000 });
    expect(locked.status, `an order awaiting its confirmation is locked: ${JSON.stringify(locked.body)}`).toBe(409);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
  });

  test('version file: when CancelAuthorization overtakes AuthorizePayment, then the late authorization holds nothing', async ({ expect }) => {
    const seen = await cancelOvertakesAuthorize(world);
    expect(seen.lateAuthorizeReply, 'the late authorization must not report a payment taken').toBe('PaymentDeclined');
    expect(seen.authorization ?? 'none', 'no money held for a cancelled order').not.toBe('AUTHORIZED');
  });

  test('version file: when commands come in order, or come twice, then accounting acts as before', async ({ expect }) => {
    const payment = { orderId: randomUUID(), customerId: randomUUID(), total: 300 };
    expect(await world.sendToAccounting('AuthorizePayment', payment)).toBe('PaymentAuthorized');
    // A pivot asked again (lab 04's retry after a timeout) gets the same answer.
    expect(await world.sendToAccounting('AuthorizePayment', payment)).toBe('PaymentAuthorized');
    expect(await world.authorization(payment.orderId)).toBe('AUTHORIZED');
    expect(await world.sendToAccounting('CancelAuthorization', payment)).toBe('AuthorizationCancelled');
    expect(await world.authorization(payment.orderId)).toBe('CANCELLED');
  });

  test('by value: when a high-value order and small ones are created, then the high-value one waits CONFIRMATION_PENDING, locked against a cancel, until it is confirmed once; the small ones are approved at once', async ({ expect }) => {
    const customerId = await world.createCustomer(200_000);
    // One order at a time: this row is about the path each order takes, and three reservations racing for one
    // customer would also test commutative updates (step 5), failing here, at random, for a learner not there yet.
    const orders: Array<{ orderId: string; sagaId: string }> = [];
    for (const total of [80_000, 50_000, 2_000]) {
      const order = await world.acceptedOrder(customerId, total);
      const saga = await world.ended(order.sagaId);
      expect(saga.state, describeHistory(saga)).toBe('COMPLETED');
      orders.push(order);
    }
    const [big, atThreshold, small] = orders;
    expect((await world.order(big!.orderId)).state, 'an order above 500.00 waits for its confirmation').toBe('CONFIRMATION_PENDING');
    expect((await world.order(atThreshold!.orderId)).state, 'an order of exactly 500.00 takes the plain path').toBe('APPROVED');
    expect((await world.order(small!.orderId)).state, 'a small order takes the plain path').toBe('APPROVED');
    // The high-value order is not decided yet, but everything it needs is held for it.
    expect(await world.creditReserved(customerId)).toBe(132_000);
    expect(await world.authorization(big!.orderId)).toBe('AUTHORIZED');

    const cancelWhileUnconfirmed = await world.cancel(big!.orderId);
    expect(cancelWhileUnconfirmed.status, `an order awaiting its confirmation is locked: ${JSON.stringify(cancelWhileUnconfirmed.body)}`).toBe(409);
    expect(Number(cancelWhileUnconfirmed.retryAfter), 'a locked order says when to try again').toBeGreaterThan(0);
    expect((await world.confirm(small!.orderId)).status, 'a small order has nothing to confirm').toBe(409);

    const confirmed = await world.confirm(big!.orderId);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect((await world.order(big!.orderId)).state).toBe('APPROVED');
    expect((await world.confirm(big!.orderId)).status, 'an order is confirmed once').toBe(409);

    // Confirmed, the order is an approved order like any other: a cancel releases what it held.
    await cancelled(big!.orderId);
    expect(await world.creditReserved(customerId)).toBe(52_000);
    expect(await world.authorization(big!.orderId)).toBe('CANCELLED');

    const bad = await world.confirm('nope');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
    expect((await world.confirm(randomUUID())).status).toBe(404);
  });

  test('when a cancel is bad or pointless, then it answers 4xx: 400 naming the field, 404 for an unknown order, 409 for a rejected one', async ({ expect }) => {
    const bad = await world.cancel('nope');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('id');
    expect((await world.cancel(randomUUID())).status).toBe(404);
    const customerId = await world.createCustomer(100);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, 500);
    expect((await world.ended(sagaId)).state).toBe('COMPENSATED');
    const answer = await world.cancel(orderId);
    expect(answer.status, `a REJECTED order cannot be cancelled: ${JSON.stringify(answer.body)}`).toBe(409);
    expect(answer.retryAfter, 'a rejected order will never be cancellable: no retry hint').toBeNull();
  });

  commutativeUpdatesChecks(() => world);
});

describe('lab 05: at the end', () => {
  test('when every check is done, then every saga ended, no customer is over the limit, reserved credit equals the approved orders, and money is held for exactly the approved orders', async () => {
    const seen = await world.invariants();
    expect(seen.unfinishedSagas, `sagas still running: ${seen.unfinishedSagas.join('; ')}`).toEqual([]);
    expect(seen.overLimit, `customers over their credit limit: ${seen.overLimit.join('; ')}`).toEqual([]);
    expect(seen.creditMismatches, `reserved credit is not the sum of the approved orders: ${seen.creditMismatches.join('; ')}`).toEqual([]);
    expect(seen.authorizedPayments, 'money is held (AUTHORIZED) for exactly the approved orders').toEqual(seen.approvedOrders);
  });
});
