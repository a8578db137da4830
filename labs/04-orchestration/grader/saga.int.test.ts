import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { compensationsRun, describeHistory, FAULT, OrchestrationWorld } from './world.ts';

let world: OrchestrationWorld;
beforeAll(async () => {
  // 2.5 s: far above a healthy step (tens of ms), even on a busy two-core machine while another grader file
  // starts its own services, and short enough that the timeout checks stay quick.
  world = await OrchestrationWorld.start({ stepTimeoutMs: 2_500, retryDelayMs: 200 });
  // One saga through every participant first, so the checks below do not pay for cold connections and code.
  const { sagaId } = await world.acceptedOrder(await world.createCustomer(1_000), 1);
  await world.ended(sagaId);
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('04', () => world?.timeline);

// Sagas of different customers and fault totals do not meet, so these checks run side by side. The two
// below them stop kitchen-service or judge the whole world, so they run alone, after.
describe.concurrent('lab 04: the Create Order saga, orchestrated', () => {
  test('when every participant agrees, then the saga runs the six steps in order and the order ends APPROVED', async ({ expect }) => {
    const customerId = await world.createCustomer(10_000);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, 2_500);
    const saga = await world.ended(sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPLETED');
    expect((await world.order(orderId)).state).toBe('APPROVED');
    expect(await world.creditReserved(customerId)).toBe(2_500);
    // GET /sagas/:id tells the saga's story: every command and local action, and the reply to each command.
    const steps = saga.history.filter((h) => h.kind === 'command' || h.kind === 'local').map((h) => h.messageType);
    expect(steps, describeHistory(saga)).toEqual(['CreateOrder', 'ReserveCredit', 'CreateTicket', 'AuthorizePayment', 'ApproveTicket', 'ApproveOrder']);
    expect(saga.history.filter((h) => h.kind === 'reply').map((h) => h.messageType)).toEqual(['CreditReserved', 'TicketCreated', 'PaymentAuthorized', 'TicketApproved']);
    expect(saga.history.find((h) => h.kind === 'command')?.messageId, 'each command in the history carries its message id').toMatch(/^[0-9a-f-]{36}$/);
  });

  test.for([
    { step: 2, what: 'customer-service refuses the credit', limit: 1_000, total: 1_500, compensations: ['RejectOrder'] },
    { step: 3, what: 'kitchen-service refuses the ticket', limit: 10_000, total: FAULT.refused, compensations: ['ReleaseCredit', 'RejectOrder'] },
    { step: 4, what: 'accounting-service declines the payment (the pivot)', limit: 10_000, total: FAULT.declined, compensations: ['RejectTicket', 'ReleaseCredit', 'RejectOrder'] },
  ])('when step $step fails ($what), then exactly the compensations of the steps done run, last first, and nothing stays held', async ({ limit, total, compensations }, { expect }) => {
    const customerId = await world.createCustomer(limit);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, total);
    const saga = await world.ended(sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPENSATED');
    expect(compensationsRun(saga), `compensations run, in order; history: ${describeHistory(saga)}`).toEqual(compensations);
    const order = await world.order(orderId);
    expect(order.state).toBe('REJECTED');
    expect(order.rejectionReason, 'the order says why it was rejected').toBeTruthy();
    expect(await world.creditReserved(customerId), 'no credit may stay reserved for a rejected order').toBe(0);
    const ticket = await world.world.query<{ state: string }>('kitchen', 'SELECT state FROM tickets WHERE order_id = $1', [orderId]);
    expect(ticket.map((t) => t.state).filter((s) => s !== 'REJECTED'), 'a ticket of a rejected order must be rejected').toEqual([]);
  });

  test('when a compensation fails, then it is retried until it succeeds, with the saga COMPENSATING meanwhile', async ({ expect }) => {
    const customerId = await world.createCustomer(10_000);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, FAULT.declinedReleaseFails);
    const failing = await world.sagaUntil(sagaId, (s) => s.history.some((h) => h.messageType === 'CreditReleaseFailed') || s.state === 'COMPENSATED', 'the first failed release');
    expect(failing.state, 'while a compensation is failing, the saga says COMPENSATING').toBe('COMPENSATING');
    const saga = await world.ended(sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPENSATED');
    expect(saga.history.filter((h) => h.messageType === 'CreditReleaseFailed'), 'customer-service failed the release three times').toHaveLength(3);
    expect(compensationsRun(saga)).toEqual(['RejectTicket', 'ReleaseCredit', 'RejectOrder']);
    expect((await world.order(orderId)).state).toBe('REJECTED');
    expect(await world.creditReserved(customerId)).toBe(0);
  });

  test('when a participant never answers, then the step times out and the saga compensates; the late reply changes nothing', async ({ expect }) => {
    const customerId = await world.createCustomer(10_000);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, FAULT.kitchenSilent);
    const saga = await world.ended(sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPENSATED');
    expect(saga.history.some((h) => h.kind === 'timeout' && h.step === 3), `step 3 should time out; ${describeHistory(saga)}`).toBe(true);
    // The ticket may have been created before the compensation came: rejecting it is the compensation's job.
    expect(compensationsRun(saga)).toEqual(['RejectTicket', 'ReleaseCredit', 'RejectOrder']);

    expect((await world.releaseHeldReplies('kitchen-service')).body.released).toBe(1);
    const after = await world.sagaUntil(sagaId, (s) => s.history.some((h) => h.kind === 'ignored' && h.messageType === 'TicketCreated'), 'the late TicketCreated to reach the saga');
    expect(after.state).toBe('COMPENSATED');
    expect(after.history.filter((h) => h.kind !== 'ignored'), 'a late reply must not move the saga').toEqual(saga.history);
    expect((await world.order(orderId)).state).toBe('REJECTED');
    expect(await world.creditReserved(customerId)).toBe(0);
    const [ticket] = await world.world.query<{ state: string }>('kitchen', 'SELECT state FROM tickets WHERE order_id = $1', [orderId]);
    expect(ticket?.state).toBe('REJECTED');
  });

});

describe('lab 04: after the pivot, and at the end', () => {
  test('when kitchen-service is down after the pivot, then the saga waits and retries, and the order is approved once it is back', async () => {
    const customerId = await world.createCustomer(10_000);
    // accounting holds its answer, so that kitchen-service can be stopped exactly between steps 4 and 5.
    const { orderId, sagaId } = await world.acceptedOrder(customerId, FAULT.accountingHeld);
    await world.sagaUntil(sagaId, (s) => s.currentStep.number === 4 && s.state === 'RUNNING', 'the saga to reach the pivot');
    await world.service('kitchen-service').kill();
    try {
      expect((await world.releaseHeldReplies('accounting-service')).status).toBe(200);
      // Step 5 timed out, and the saga is still going forward: a retry is due, nothing was compensated.
      const waiting = await world.sagaUntil(sagaId, (s) => s.history.some((h) => h.kind === 'timeout' && h.step === 5) || s.state !== 'RUNNING', 'step 5 to time out');
      expect(waiting.state, `after the pivot the saga must keep trying; ${describeHistory(waiting)}`).toBe('RUNNING');
      expect(waiting.currentStep.number).toBe(5);
      expect((await world.order(orderId)).state).toBe('APPROVAL_PENDING');
    } finally {
      await world.service('kitchen-service').restart();
    }
    const saga = await world.ended(sagaId);
    expect(saga.state, describeHistory(saga)).toBe('COMPLETED');
    expect(compensationsRun(saga), 'nothing is compensated after the pivot').toEqual([]);
    expect((await world.order(orderId)).state).toBe('APPROVED');
    expect(await world.creditReserved(customerId)).toBe(FAULT.accountingHeld);
  });

  test('when the input is invalid, then POST /orders answers 400 naming the field, and GET /sagas/:id 404 for an unknown saga', async () => {
    const bad = await world.createOrder('nope', 5);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('customerId');
    expect((await world.world.call('order-service', 'GET', `/sagas/${randomUUID()}`)).status).toBe(404);
  });

  test('when every test is done, then every saga ended, reserved credit equals the approved orders, and tickets and payments match them one to one', async () => {
    const ledger = await world.onceQuiet(() => world.ledger());
    expect(ledger.unfinishedSagas).toEqual([]);
    expect(ledger.creditMismatches).toEqual([]);
    expect(ledger.approvedTickets).toEqual(ledger.approvedOrders);
    expect(ledger.authorizedPayments).toEqual(ledger.approvedOrders);
  });
});
