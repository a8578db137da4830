import { describe, expect, test } from 'vitest';
import { compensatable, defineSaga, local, pivot, retriable, send } from './dsl.ts';

const noop = local<unknown>('order-service', 'Noop', async () => {});
const command = (type: string) => send<unknown>('customer-service', type, () => ({}));

describe('defineSaga', () => {
  test('when the steps are compensatable, then the pivot, then retriable, then the definition is accepted as written', () => {
    const saga = defineSaga('ok-saga', [compensatable('a', noop, noop), pivot('b', command('B')), retriable('c', command('C'))]);
    expect(saga.steps.map((s) => s.kind)).toEqual(['compensatable', 'pivot', 'retriable']);
  });

  test('when a compensatable step comes after the pivot, then defining the saga fails and names the step', () => {
    expect(() => defineSaga('bad-saga', [pivot('pay', command('Pay')), compensatable('reserve', command('R'), command('U'))])).toThrow(/step 2 \(reserve\) is compensatable but comes after a pivot step/);
  });

  test('when there are two pivots, then defining the saga fails', () => {
    expect(() => defineSaga('bad-saga', [pivot('a', command('A')), pivot('b', command('B'))])).toThrow(/two pivots/);
  });

  test('when a saga has no step, then defining it fails', () => {
    expect(() => defineSaga('empty-saga', [])).toThrow(/at least one step/);
  });
});
