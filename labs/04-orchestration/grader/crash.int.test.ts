import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import { describeHistory, OrchestrationWorld } from './world.ts';

let world: OrchestrationWorld;
beforeAll(async () => {
  // A step timeout far longer than a restart: a saga must finish because its state and its next command
  // survived the crash together, not because a timeout sent something again.
  world = await OrchestrationWorld.start({ stepTimeoutMs: 20_000 });
});
afterAll(async () => {
  await world?.stop();
});
writeTimelineOnFailure('04', () => world?.timeline);

describe('lab 04: the orchestrator crashes, messages come twice', () => {
  test('when every command and reply of a saga is delivered twice more, then nothing changes and each reply is handled once', async () => {
    const customerId = await world.createCustomer(10_000);
    const { orderId, sagaId } = await world.acceptedOrder(customerId, 1_000);
    const before = await world.ended(sagaId);
    expect(before.state).toBe('COMPLETED');
    const messages = world.messagesOf(orderId);
    expect(messages.length, 'four commands and four replies crossed the broker').toBe(8);
    await world.redeliver([...messages, ...messages], sagaId);
    const after = await world.onceQuiet(() => world.saga(sagaId));
    expect(after.history, 'a reply delivered again must not be handled again: the saga’s history changed').toEqual(before.history);
    expect((await world.order(orderId)).state).toBe('APPROVED');
    expect(await world.creditReserved(customerId)).toBe(1_000);
  });

  // One saga per check, one crash each: the hook is armed for whichever saga's reply comes next, so these
  // run one after the other (not concurrently), and each still passes alone with -t.
  test.for([2, 3, 4, 5])('when the orchestrator is SIGKILLed right after handling the reply to step %i, then the saga finishes after the restart', async (step) => {
    const customerId = await world.createCustomer(100_000);
    const orchestrator = world.service('order-service');
    const armed = await world.world.call('order-service', 'POST', '/admin/crash-after-reply', { step });
    // The hook accepts only a step the saga definition has: on a definition with fewer steps it answers 400.
    expect(armed.status, `arming the crash after step ${step}: order-service answered ${armed.status} ${JSON.stringify(armed.body)}. Does saga/definition.ts define the six steps of the lab page's table?`).toBe(200);
    const { sagaId } = await world.acceptedOrder(customerId, 100);
    await eventually(() => orchestrator.exited, { timeoutMs: 10_000, description: `order-service to crash after the reply to step ${step}` });
    await orchestrator.restart();
    const saga = await world.saga(sagaId);
    const awaited = saga.state === 'RUNNING' ? saga.history.filter((h) => h.kind === 'command').at(-1)?.messageId : undefined;
    if (awaited) {
      // The command the saga now waits for was committed with its state, so it goes out after the restart.
      await world.tap.waitFor((m) => m.id === awaited, 5_000).catch(() => {
        throw new Error(`after the crash following step ${step}, the saga waits for command ${awaited}, which never went out: was it saved in the same transaction as the saga's state? History: ${describeHistory(saga)}`);
      });
    }
    const ended = await world.ended(sagaId);
    expect(ended.state, describeHistory(ended)).toBe('COMPLETED');
    expect(await world.creditReserved(customerId)).toBe(100);
  });

  test('when every test is done, then every saga ended, reserved credit equals the approved orders, and tickets and payments match them one to one', async () => {
    const ledger = await world.onceQuiet(() => world.ledger());
    expect(ledger.unfinishedSagas).toEqual([]);
    expect(ledger.creditMismatches).toEqual([]);
    expect(ledger.approvedTickets).toEqual(ledger.approvedOrders);
    expect(ledger.authorizedPayments).toEqual(ledger.approvedOrders);
  });
});
