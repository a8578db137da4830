import { describe, expect, test } from 'vitest';
import type { PoolClient } from '../db.ts';
import { advance, type AdvanceSettings } from './advance.ts';
import { compensatable, defineSaga, pivot, send } from './dsl.ts';
import { armHold, holdBefore } from './holds.ts';
import type { SagaInstance } from './store.ts';

const saga = defineSaga<{ orderId: string }>('hold-test-saga', [
  compensatable('first', send('p-service', 'First', (d) => d), send('p-service', 'UndoFirst', (d) => d)),
  pivot('second', send('p-service', 'Second', (d) => d)),
]);

describe('pause points (holds)', () => {
  test('given a hold for one order before a step, when sagas ask, then only that saga of that order is held before that step', () => {
    armHold({ saga: 'hold-test-saga', before: 'second', orderId: 'order-1' });
    expect(holdBefore('hold-test-saga', 'second', { orderId: 'order-1' })).toBe(true);
    expect(holdBefore('hold-test-saga', 'second', { orderId: 'order-2' })).toBe(false);
    expect(holdBefore('hold-test-saga', 'first', { orderId: 'order-1' })).toBe(false);
    expect(holdBefore('other-saga', 'second', { orderId: 'order-1' })).toBe(false);
  });

  test('given a hold armed once, when two sagas of one order reach the step, then only the first is held', () => {
    armHold({ saga: 'hold-test-saga', before: 'second', orderId: 'order-3', once: true });
    expect(holdBefore('hold-test-saga', 'second', { orderId: 'order-3' }), 'the first saga').toBe(true);
    expect(holdBefore('hold-test-saga', 'second', { orderId: 'order-3' }), 'the second saga').toBe(false);
  });

  test('given a hold, when the saga moves to the held step, then it is parked as a retry with no due time and nothing is sent', async () => {
    const settings: AdvanceSettings = { replyTo: 'r', stepTimeoutMs: 1_000, retryDelayMs: 100, now: () => 0, holdBefore: (_saga, step) => step === 'second' };
    const instance: SagaInstance<{ orderId: string }> = {
      id: 'saga-1', type: saga.name, state: 'RUNNING', step: 0, attempt: 1, compensations: [], awaiting: [], waitingFor: 'reply', dueAt: new Date(0), data: { orderId: 'o' }, failure: null,
    };
    // No database: a held command step runs nothing, so the transaction is never used.
    const change = await advance({} as PoolClient, saga, () => ({ kind: 'complete' }), instance, { kind: 'invoke', step: 1 }, settings);
    expect(change.commands).toEqual([]);
    expect(change.saga).toMatchObject({ state: 'RUNNING', step: 1, waitingFor: 'retry', dueAt: null });
    expect(change.history.at(-1)?.detail).toMatch(/^HELD before step 2 \(second\)/);
  });
});
