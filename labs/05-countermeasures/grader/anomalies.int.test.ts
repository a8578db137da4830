// @kit-independent-of-target: every check here runs the naive variant, never the tree under test, so
// `npm run verify` leaves this file out of the starter's and the mutants' runs, where it could catch nothing
// (see shared/cli/target-files.ts). Your grade and the solution's run it.
import { afterAll, beforeAll, describe, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { reservationsRace, reserveWhileReleasing, reviseWhileReserving } from './credit-scenarios.ts';
import { reviseWhileRevising } from './reread-value.ts';
import { cancelOvertakesAuthorize, cancelWhileCreating, spendWhileCancelling } from './scenarios.ts';
import { CountermeasuresWorld, describeHistory } from './world.ts';

// The naive variant (the solution with every countermeasure removed), whatever tree is graded: these checks
// prove that each scenario really produces its anomaly, so that its absence in countermeasures.int.test.ts
// is the countermeasure's doing and not a scenario that misses the interleaving.
let world: CountermeasuresWorld;
beforeAll(async () => {
  world = await CountermeasuresWorld.start('naive');
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('05', () => world?.timeline);

describe.concurrent('lab 05: without its countermeasure, each anomaly happens (the naive variant)', () => {
  test('when a cancel lands while Create Order is approving and no state locks the order, then the approve overwrites the cancel (lost update)', async ({ expect }) => {
    const seen = await cancelWhileCreating(world);
    expect(seen.cancelWhilePending.status, 'with no lock, the cancel is accepted at once').toBe(202);
    expect(seen.cancelSaga?.state, describeHistory(seen.cancelSaga)).toBe('COMPLETED');
    expect(seen.createSaga.state, describeHistory(seen.createSaga)).toBe('COMPLETED');
    // The anomaly: the cancel freed the credit and the payment, then the approve overwrote CANCELLED.
    expect(seen.order, 'the late approve overwrote the cancel').toBe('APPROVED');
    expect(seen.creditReserved, 'an approved order with no credit reserved').toBe(0);
    expect(seen.authorization, 'an approved order whose payment was cancelled').toBe('CANCELLED');
  });

  test('when the Cancel Order saga frees credit before its pivot, then another order spends it, and the refused cancel takes the customer over the limit (dirty read)', async ({ expect }) => {
    const seen = await spendWhileCancelling(world);
    expect(seen.creditWhileCancelling, 'the cancel freed the credit before its pivot').toBe(0);
    expect(seen.orderB, 'order B spent the credit the cancel had not freed for good').toBe('APPROVED');
    expect(seen.cancelSaga.state, describeHistory(seen.cancelSaga)).toBe('COMPENSATED');
    expect(seen.orderA).toBe('APPROVED');
    expect(seen.creditAfter, 'the compensation gave order A its credit back on top of order B’s').toBeGreaterThan(seen.limit);
  });

  test('when Revise Order writes without rereading the order, then a revision that landed between its read and its write is overwritten by a total computed from the stale read (lost update, fuzzy read)', async ({ expect }) => {
    const seen = await reviseWhileRevising(world);
    expect(seen.second.state, describeHistory(seen.second)).toBe('COMPLETED');
    expect(seen.first.state, `the held revision wrote anyway: ${describeHistory(seen.first)}`).toBe('COMPLETED');
    // The anomaly: B's revision is lost, and the credit holds both revisions' increases for a total that has neither.
    expect(seen.order.total, 'the late revision overwrote the one that landed meanwhile').toBe(seen.firstTotal);
    expect(seen.creditReserved, 'credit reserved for both revisions, computed from the same stale total').toBe(seen.firstTotal + seen.secondTotal - seen.readTotal);
  });

  test('when accounting ignores its version file, then an AuthorizePayment overtaken by its CancelAuthorization holds money for a cancelled order (out of order)', async ({ expect }) => {
    const seen = await cancelOvertakesAuthorize(world);
    expect(seen.lateAuthorizeReply).toBe('PaymentAuthorized');
    expect(seen.authorization, 'money held for an order whose payment was cancelled').toBe('AUTHORIZED');
  });

  test('when every order takes the plain saga whatever its amount, then a high-value order is approved at once, with no confirmation step (by value)', async ({ expect }) => {
    const customerId = await world.createCustomer(200_000);
    const big = await world.acceptedOrder(customerId, 80_000);
    const saga = await world.ended(big.sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPLETED');
    // Approved when its saga ends: no CONFIRMATION_PENDING, no one asked to confirm it.
    expect((await world.order(big.orderId)).state, 'an 800.00 order is approved as freely as a 5.00 one').toBe('APPROVED');
  });

  test('when two reservations read the credit and each writes back the balance it computed, then the second write overwrites the first: both orders are approved, over the limit, with one counted (lost update)', async ({ expect }) => {
    const seen = await reservationsRace(world);
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.orderA, `order A checked the limit against the credit it read before order B: ${describeHistory(seen.sagaA)}`).toBe('APPROVED');
    expect(2 * seen.amount, 'the approved orders are over the customer’s limit').toBeGreaterThan(seen.limit);
    expect(seen.creditReserved, 'order A’s write overwrote order B’s: one reservation lost').toBe(seen.amount);
  });

  test('when a release writes back the balance it computed while another order reserves, then the reservation is lost (lost update)', async ({ expect }) => {
    const seen = await reserveWhileReleasing(world);
    expect(seen.orderA, describeHistory(seen.cancelSaga)).toBe('CANCELLED');
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.creditReserved, 'order B is approved, but the release wrote back a balance from before its reservation').toBe(0);
  });

  test('when a revision of an order’s credit writes back the balance it computed while another order reserves, then the reservation is lost (lost update)', async ({ expect }) => {
    const seen = await reviseWhileReserving(world);
    expect(seen.revision.state, describeHistory(seen.revision)).toBe('COMPLETED');
    expect(seen.orderB).toBe('APPROVED');
    expect(seen.creditReserved, 'order B is approved, but the revision wrote back a balance from before its reservation').toBe(seen.revisedTotal);
  });
});
