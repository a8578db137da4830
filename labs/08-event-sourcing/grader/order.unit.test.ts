import { describe, expect, test } from 'vitest';
import { importFromTarget } from '#shared/harness/target.ts';
import type { OrderCommand, OrderEvent, OrderState } from '../order-service/domain/events.ts';

type Order = typeof import('../order-service/domain/order.ts');
const { decide, evolve, initialState } = await importFromTarget<Order>('08-event-sourcing', 'order-service/domain/order.ts');

/** Freezes a value and everything in it: a write into a frozen object throws (modules run in strict mode). */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) frozen(inner);
  }
  return value;
}

/** The state after `events`, folded the way a load does; every state and event handed to evolve is frozen. */
function fold(events: readonly OrderEvent[]): OrderState {
  return events.reduce<OrderState>((state, event) => evolve(frozen(state), frozen(structuredClone(event))), frozen(initialState));
}

/** given(events).when(command).then(events) — or .rejected(reason) — in the style of emmett's tests. */
function given(...events: OrderEvent[]) {
  return {
    when(command: OrderCommand) {
      const decided = () => decide(frozen(structuredClone(command)), fold(events));
      return {
        then(...expected: OrderEvent[]) {
          expect(decided()).toEqual({ kind: 'accepted', events: expected });
        },
        rejected(reason: RegExp) {
          const decision = decided();
          expect(decision.kind, `expected a rejection, got ${JSON.stringify(decision)}`).toBe('rejected');
          expect((decision as { reason: string }).reason).toMatch(reason);
        },
      };
    },
  };
}

const orderId = '0b6c2a8e-6b8f-4c8e-9d0a-2f6f8a1d7e11';
const customerId = '5e3b9c1d-2a4f-4b6e-8c7d-1a2b3c4d5e6f';
const at = '2026-11-30T12:00:00.000Z';
const placed: OrderEvent = { type: 'OrderPlaced', data: { orderId, customerId, placedAt: at } };
const tea = { sku: 'tea', quantity: 2, unitPrice: 350 };
const cake = { sku: 'cake', quantity: 1, unitPrice: 1_200 };
const teaAdded: OrderEvent = { type: 'LineAdded', data: { line: tea } };
const cakeAdded: OrderEvent = { type: 'LineAdded', data: { line: cake } };
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { total: 1_900, confirmedAt: at } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { reason: 'changed my mind', cancelledAt: at } };

describe('lab 08: the Order aggregate, pure (decide and evolve)', () => {
  test('when an order is placed on an empty stream, then OrderPlaced; when placed again, then rejected', () => {
    given().when({ type: 'PlaceOrder', orderId, customerId, at }).then(placed);
    given(placed).when({ type: 'PlaceOrder', orderId, customerId, at }).rejected(/exists/);
  });

  test('when a line is added to an open order, then LineAdded; to a missing, confirmed or cancelled one, then rejected', () => {
    given(placed).when({ type: 'AddLine', line: tea }).then(teaAdded);
    given(placed, teaAdded).when({ type: 'AddLine', line: cake }).then(cakeAdded);
    given().when({ type: 'AddLine', line: tea }).rejected(/does not exist/);
    given(placed, teaAdded, confirmed).when({ type: 'AddLine', line: cake }).rejected(/confirmed/);
    given(placed, cancelled).when({ type: 'AddLine', line: cake }).rejected(/cancelled/);
  });

  test('when an order already holds 50 lines, then a 51st is rejected', () => {
    given(placed, ...Array.from({ length: 49 }, () => teaAdded)).when({ type: 'AddLine', line: cake }).then(cakeAdded);
    given(placed, ...Array.from({ length: 50 }, () => teaAdded)).when({ type: 'AddLine', line: cake }).rejected(/50/);
  });

  test('when an open order with lines is confirmed, then OrderConfirmed with the total of its lines; without lines or twice, then rejected', () => {
    given(placed, teaAdded, cakeAdded).when({ type: 'ConfirmOrder', at }).then(confirmed);
    given(placed).when({ type: 'ConfirmOrder', at }).rejected(/no lines/);
    given(placed, teaAdded, cakeAdded, confirmed).when({ type: 'ConfirmOrder', at }).rejected(/confirmed/);
    given().when({ type: 'ConfirmOrder', at }).rejected(/does not exist/);
  });

  test('when an open or confirmed order is cancelled, then OrderCancelled; a cancelled or missing one, then rejected', () => {
    given(placed).when({ type: 'CancelOrder', reason: 'changed my mind', at }).then(cancelled);
    given(placed, teaAdded, cakeAdded, confirmed).when({ type: 'CancelOrder', reason: 'changed my mind', at }).then(cancelled);
    given(placed, cancelled).when({ type: 'CancelOrder', reason: 'again', at }).rejected(/already cancelled/);
    given().when({ type: 'CancelOrder', reason: 'nothing', at }).rejected(/does not exist/);
  });

  test('when events are folded, then the state says what they say (lines, total, status, reason)', () => {
    expect(fold([])).toEqual({ status: 'none' });
    expect(fold([placed, teaAdded, cakeAdded])).toEqual({ status: 'open', orderId, customerId, lines: [tea, cake] });
    expect(fold([placed, teaAdded, cakeAdded, confirmed])).toEqual({ status: 'confirmed', orderId, customerId, lines: [tea, cake], total: 1_900 });
    expect(fold([placed, teaAdded, cancelled])).toEqual({ status: 'cancelled', orderId, customerId, lines: [tea], reason: 'changed my mind' });
  });

  test('when evolve is given a state, then it returns a new one and leaves the given one as it was (states are shared: initialState, a cached load)', () => {
    const open = fold([placed, teaAdded]);
    const before = structuredClone(open);
    const after = evolve(open, cakeAdded);
    expect(open, 'evolve wrote into the state it was given').toEqual(before);
    expect(after).toEqual({ ...before, lines: [tea, cake] });
    // Two orders folded from the same initial state do not see each other's lines.
    const other = fold([{ ...placed, data: { ...placed.data, orderId: customerId } }]);
    expect(other.status === 'open' && other.lines).toEqual([]);
    expect(() => fold([placed, teaAdded, cakeAdded, confirmed])).not.toThrow();
  });
});
