import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { REPO_ROOT } from '#shared/harness/mutants.ts';
import { PG_INTEGER_MAX } from '#shared/platform/validation.ts';
import { hostileObject } from './arbitraries.ts';
import { FUZZ_SEED } from './fuzz-route.ts';

/**
 * An order order-service accepts must make events customer-service accepts: otherwise the order is stored,
 * its event is published, and customer-service dead-letters it, so the order never takes effect. The two
 * services keep their own copies of the schemas (neither imports the other's code); this property ties them.
 */

interface Payload {
  orderId: string;
  customerId: string;
  total: number;
}
interface OrderLab {
  CreateOrder: z.ZodType<{ customerId: string; total: number }>;
  createOrder(ids: { orderId: string; eventId: string }, input: { customerId: string; total: number }): { order: object; event: { payload: Payload } };
  cancelOrder(order: object, eventId: string): { kind: string; event?: { payload: Payload } };
  orderEventSchemas: Record<'OrderCreated' | 'OrderCancelled', z.ZodType>;
}

async function load(tree: string, lab: string): Promise<OrderLab> {
  const from = (file: string) => import(path.join(REPO_ROOT, tree, lab, file));
  const [routes, domain, contracts] = await Promise.all([from('order-service/api/routes.ts'), from('order-service/domain/order.ts'), from('customer-service/messaging/contracts.ts')]);
  return { CreateOrder: routes.CreateOrder, createOrder: domain.createOrder, cancelOrder: domain.cancelOrder, orderEventSchemas: contracts.orderEventSchemas };
}

const orderBody = hostileObject({
  customerId: fc.oneof(fc.uuid(), fc.uuid().map((id) => id.toUpperCase())),
  total: fc.oneof(fc.integer({ min: 1, max: PG_INTEGER_MAX }), fc.constantFrom(1, PG_INTEGER_MAX)),
});

/** What customer-service receives: the payload went through a jsonb column and over the wire as JSON. */
const overTheWire = (payload: Payload): unknown => JSON.parse(JSON.stringify(payload));

describe.each([
  ['labs', '02-outbox'],
  ['solutions', '02-outbox'],
  ['labs', '03-choreography'],
  ['solutions', '03-choreography'],
])('%s/%s', (tree, lab) => {
  test("when order-service's API accepts an order, then customer-service's contract parses its OrderCreated and OrderCancelled", async () => {
    const { CreateOrder, createOrder, cancelOrder, orderEventSchemas } = await load(tree, lab);
    let accepted = 0;
    fc.assert(
      fc.property(orderBody, fc.uuid({ version: 4 }), fc.uuid({ version: 4 }), (body, orderId, eventId) => {
        const input = CreateOrder.safeParse(body);
        fc.pre(input.success);
        accepted++;
        const { order, event } = createOrder({ orderId, eventId }, input.data!);
        const created = orderEventSchemas.OrderCreated.safeParse(overTheWire(event.payload));
        expect(created.error?.issues, `OrderCreated for ${JSON.stringify(body)}`).toBeUndefined();
        // Lab 03 cancels only approved orders; lab 02 any order not yet cancelled.
        const cancel = cancelOrder({ ...order, state: 'APPROVED' }, eventId);
        expect(cancel.kind).toBe('cancel');
        const cancelled = orderEventSchemas.OrderCancelled.safeParse(overTheWire(cancel.event!.payload));
        expect(cancelled.error?.issues, `OrderCancelled for ${JSON.stringify(body)}`).toBeUndefined();
      }),
      { seed: FUZZ_SEED, numRuns: 1_000 },
    );
    // The generator must reach the accepting side often, or the property says nothing.
    expect(accepted).toBeGreaterThan(100);
  });
});
