import { describe, expect, test } from 'vitest';
import { importFromTarget } from '#shared/harness/target.ts';
import type { PaymentDecision } from '#shared/participants/accounting-service/domain/payment-decision.ts';

type OrderState = 'APPROVAL_PENDING' | 'CONFIRMATION_PENDING' | 'APPROVED' | 'REJECTED' | 'CANCEL_PENDING' | 'CANCELLED';
type OrderChange = 'approve' | 'await-confirmation' | 'confirm' | 'reject' | 'begin-cancel' | 'confirm-cancel' | 'undo-cancel';
type Decision = { kind: 'move'; to: OrderState } | { kind: 'locked'; by: OrderState; retryAfterSeconds: number } | { kind: 'refused'; reason: string };

const { decide } = await importFromTarget<{ decide: (state: OrderState, change: OrderChange) => Decision }>('05-countermeasures', 'order-service/domain/order-state.ts');
const { pathFor } = await importFromTarget<{ pathFor: (total: number) => 'plain' | 'confirm-first' }>('05-countermeasures', 'order-service/domain/by-value.ts');
const { decidePayment } = await importFromTarget<{ decidePayment: PaymentDecision }>('05-countermeasures', 'accounting-service/domain/version-file.ts');

const STATES: OrderState[] = ['APPROVAL_PENDING', 'APPROVED', 'REJECTED', 'CANCEL_PENDING', 'CANCELLED'];
/** The only moves the two sagas make: from the state each change starts from, to where it leads. */
const MOVES: Array<[OrderState, OrderChange, OrderState]> = [
  ['APPROVAL_PENDING', 'approve', 'APPROVED'],
  ['APPROVAL_PENDING', 'reject', 'REJECTED'],
  ['APPROVED', 'begin-cancel', 'CANCEL_PENDING'],
  ['CANCEL_PENDING', 'confirm-cancel', 'CANCELLED'],
  ['CANCEL_PENDING', 'undo-cancel', 'APPROVED'],
];

describe('lab 05: the decisions, as pure functions', () => {
  test('semantic lock: given an order in each state, when each change is asked, then only the five moves of the two sagas happen', () => {
    for (const state of STATES) {
      for (const change of ['approve', 'reject', 'begin-cancel', 'confirm-cancel', 'undo-cancel'] as OrderChange[]) {
        const move = MOVES.find(([from, c]) => from === state && c === change);
        const decision = decide(state, change);
        if (move) expect(decision, `${change} on ${state}`).toEqual({ kind: 'move', to: move[2] });
        // Any other change leaves the order where it is (a "move" to the same state is as good as none).
        else if (decision.kind === 'move') expect(decision.to, `${change} on an order ${state} must not move it`).toBe(state);
      }
    }
  });

  test('semantic lock: given an order a saga holds (APPROVAL_PENDING or CANCEL_PENDING), when a cancel is asked, then it is locked with a retry hint; given a final order, it is refused', () => {
    for (const state of ['APPROVAL_PENDING', 'CANCEL_PENDING'] as const) {
      const decision = decide(state, 'begin-cancel');
      expect(decision.kind, `a cancel on ${state}`).toBe('locked');
      if (decision.kind === 'locked') expect(decision.retryAfterSeconds).toBeGreaterThan(0);
    }
    for (const state of ['REJECTED', 'CANCELLED'] as const) expect(decide(state, 'begin-cancel').kind, `a cancel on ${state}`).toBe('refused');
  });

  test('by value: given an order\'s total in cents, when its path is picked, then only orders above 500.00 wait for a confirmation', () => {
    const table: Array<[number, 'plain' | 'confirm-first']> = [
      [1, 'plain'],
      [2_000, 'plain'],
      [49_999, 'plain'],
      [50_000, 'plain'], // exactly the threshold is not above it
      [50_001, 'confirm-first'],
      [80_000, 'confirm-first'],
      [10_000_000, 'confirm-first'],
    ];
    for (const [total, path] of table) expect(pathFor(total), `an order of ${total} cents`).toBe(path);
  });

  test('by value: given a high-value order, when Create Order ends, then it awaits its confirmation still locked against a cancel, and only a confirmation approves it', () => {
    expect(decide('APPROVAL_PENDING', 'await-confirmation')).toEqual({ kind: 'move', to: 'CONFIRMATION_PENDING' });
    expect(decide('CONFIRMATION_PENDING', 'confirm')).toEqual({ kind: 'move', to: 'APPROVED' });
    const cancel = decide('CONFIRMATION_PENDING', 'begin-cancel');
    expect(cancel.kind, 'a cancel on an order awaiting its confirmation').toBe('locked');
    if (cancel.kind === 'locked') expect(cancel.retryAfterSeconds).toBeGreaterThan(0);
    for (const change of ['approve', 'reject', 'confirm-cancel', 'undo-cancel', 'await-confirmation'] as OrderChange[]) {
      const decision = decide('CONFIRMATION_PENDING', change);
      if (decision.kind === 'move') expect(decision.to, `${change} on an order awaiting its confirmation must not move it`).toBe('CONFIRMATION_PENDING');
    }
    for (const state of ['APPROVAL_PENDING', 'APPROVED', 'REJECTED', 'CANCEL_PENDING', 'CANCELLED'] as OrderState[]) {
      const decision = decide(state, 'confirm');
      if (decision.kind === 'move') expect(decision.to, `confirm on ${state} must not move it`).toBe(state);
    }
  });

  test('version file: given what accounting received before, when a command arrives, then a cancel on file turns a late authorization into nothing, and every other command does what it says', () => {
    expect(decidePayment([], 'authorize')).toBe('authorize');
    expect(decidePayment(['authorize'], 'authorize'), 'an authorization asked again').toBe('authorize');
    expect(decidePayment(['authorize'], 'cancel')).toBe('cancel');
    expect(decidePayment([], 'cancel'), 'a cancel that overtook its authorization has nothing to release yet').not.toBe('authorize');
    expect(decidePayment(['cancel'], 'authorize'), 'the authorization the cancel overtook').toBe('nothing');
    expect(decidePayment(['authorize', 'cancel'], 'authorize'), 'an authorization asked again after the cancel').toBe('nothing');
  });
});
