import { describe, expect, test } from 'vitest';
import type { Delivered } from './envelope.ts';
import { dispatch, type HandlerMap } from './handler-map.ts';

type Created = Delivered<{ orderId: string; total: number }, 'OrderCreated'>;
type Cancelled = Delivered<{ orderId: string; reason: string }, 'OrderCancelled'>;
type OrderEvent = Created | Cancelled;

function delivered<M extends OrderEvent>(type: M['type'], payload: M['payload']): M {
  return { id: `${type}-1`, type, payload, headers: {}, attempt: 1, redelivered: false, queue: 'test' } as M;
}

// Type-level checks: `tsc -p tsconfig.json` (run by `npm test` and before every commit) fails if a line
// marked @ts-expect-error compiles, so these lines prove that an incomplete or wrong map is rejected.
// @ts-expect-error OrderCancelled is in the contract but has no handler: the map must not compile.
export const missingHandler: HandlerMap<OrderEvent> = { OrderCreated: async () => {} };
void dispatch<OrderEvent>(
  // @ts-expect-error the same, passed straight to dispatch.
  { OrderCreated: async () => {} },
);
export const unknownType: HandlerMap<OrderEvent> = {
  OrderCreated: async () => {},
  OrderCancelled: async () => {},
  // @ts-expect-error OrderShipped is not in the contract: a handler for it is a typo or a stale entry.
  OrderShipped: async () => {},
};
export const narrowed: HandlerMap<OrderEvent> = {
  OrderCreated: async (message) => void message.payload.total,
  // @ts-expect-error each handler sees its own member of the union: a cancellation has no total.
  OrderCancelled: async (message) => void message.payload.total,
};

describe('dispatch', () => {
  test('when messages of each type arrive, then each goes to its own handler with the context, and its result comes back', async () => {
    const seen: string[] = [];
    const handle = dispatch<OrderEvent, { tx: string }, Promise<string>>({
      OrderCreated: async (message, { tx }) => {
        seen.push(`${tx}: created ${message.payload.total}`);
        return 'reserved';
      },
      OrderCancelled: async (message, { tx }) => {
        seen.push(`${tx}: cancelled because ${message.payload.reason}`);
        return 'released';
      },
    });
    await expect(handle(delivered<Created>('OrderCreated', { orderId: 'o1', total: 42 }), { tx: 'tx1' })).resolves.toBe('reserved');
    await expect(handle(delivered<Cancelled>('OrderCancelled', { orderId: 'o1', reason: 'changed my mind' }), { tx: 'tx2' })).resolves.toBe('released');
    expect(seen).toEqual(['tx1: created 42', 'tx2: cancelled because changed my mind']);
  });

  test('when a message of a type the map does not know arrives, then it throws naming the type and the handled ones', () => {
    const handle = dispatch<OrderEvent, void, string>({ OrderCreated: () => 'created', OrderCancelled: () => 'cancelled' });
    const stranger = { ...delivered<Created>('OrderCreated', { orderId: 'o1', total: 1 }), type: 'OrderShipped' } as unknown as OrderEvent;
    expect(() => handle(stranger)).toThrow('no handler for message type "OrderShipped" (this map handles OrderCreated, OrderCancelled)');
  });

  test('when a message’s type is the name of an Object method, then it is unknown, not handled by that method', () => {
    const handle = dispatch<OrderEvent, void, string>({ OrderCreated: () => 'created', OrderCancelled: () => 'cancelled' });
    const sneaky = { ...delivered<Created>('OrderCreated', { orderId: 'o1', total: 1 }), type: 'toString' } as unknown as OrderEvent;
    expect(() => handle(sneaky)).toThrow('no handler for message type "toString"');
  });
});
