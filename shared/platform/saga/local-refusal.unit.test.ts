import { describe, expect, test } from 'vitest';
import type { PoolClient } from '../db.ts';
import { advance, retryNow, type AdvanceSettings, type React } from './advance.ts';
import { compensatable, defineSaga, local, pivot, send } from './dsl.ts';
import type { SagaInstance } from './store.ts';

// A local step that rereads something and refuses when it moved (lab 05's reread value).
let moved = false;
const saga = defineSaga<{ orderId: string }>('refusal-test-saga', [
  compensatable('reserve', send('p-service', 'Reserve', (d) => d), send('p-service', 'Unreserve', (d) => d)),
  pivot('write', local('order-service', 'Write', async () => (moved ? { refused: 'the record moved' } : undefined))),
]);
const settings: AdvanceSettings = { replyTo: 'r', stepTimeoutMs: 1_000, retryDelayMs: 100, now: () => 0 };
// The lab's react, reduced to what this test needs: a failed step compensates the steps before it.
const react: React<{ orderId: string }> = (_definition, at, outcome) => {
  if (at.state === 'COMPENSATING') return { kind: 'compensated' };
  if (outcome.kind === 'succeeded') return at.step + 1 < saga.steps.length ? { kind: 'invoke', step: at.step + 1 } : { kind: 'complete' };
  return { kind: 'compensate', steps: [0] };
};
const instance: SagaInstance<{ orderId: string }> = {
  id: 'saga-1', type: saga.name, state: 'RUNNING', step: 0, attempt: 1, compensations: [], awaiting: [], waitingFor: 'reply', dueAt: new Date(0), data: { orderId: 'o' }, failure: null,
};

describe('local steps that refuse', () => {
  test('given a local step, when it does its work, then the saga completes', async () => {
    moved = false;
    const change = await advance({} as PoolClient, saga, react, instance, { kind: 'invoke', step: 1 }, settings);
    expect(change.saga.state).toBe('COMPLETED');
  });

  test('given a local step, when it refuses, then the step fails with its reason and the saga compensates the steps before it', async () => {
    moved = true;
    const change = await advance({} as PoolClient, saga, react, instance, { kind: 'invoke', step: 1 }, settings);
    expect(change.saga).toMatchObject({ state: 'COMPENSATING', step: 0, failure: 'the record moved' });
    expect(change.commands.map((c) => c.type)).toEqual(['Unreserve']);
    expect(change.history.map((h) => h.detail)).toContain('step refused by order-service: the record moved');
  });

  test('given a local step due for a retry, when it refuses, then the saga compensates all the same', async () => {
    moved = true;
    const change = await retryNow({} as PoolClient, saga, react, { ...instance, step: 1, waitingFor: 'retry' }, settings);
    expect(change.saga).toMatchObject({ state: 'COMPENSATING', failure: 'the record moved' });
  });
});
