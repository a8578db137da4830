import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SeenPublish } from '#shared/harness/amqp-frame-proxy.ts';
import { within } from '#shared/harness/eventually.ts';
import { writeTimelineOnFailure } from '#shared/harness/failure-timeline.ts';
import type { TappedMessage } from '#shared/harness/message-tap.ts';
import { mutantAlreadyCaught } from '#shared/harness/mutant-caught.ts';
import { expectEffectsExactlyOnce } from '../../02-outbox/grader/effects.ts';
import { eventOf, startWorldBehindFrames, stopWorldBehindFrames, type WorldBehindFrames } from './behind-frames.ts';

/**
 * A failed publish, at a named message, and what the consumer sees afterwards. The relay reaches RabbitMQ
 * through lab 02's fault proxy and then an AMQP frame proxy, which fails one publish the way RabbitMQ fails an
 * unroutable message (returned, then confirmed) and holds RabbitMQ's answers back until the relay has had
 * every chance to publish what was written after it. No timing decides whether a later event overtakes.
 */
let started: WorldBehindFrames | undefined;
beforeAll(async () => {
  if (mutantAlreadyCaught()) return;
  started = await startWorldBehindFrames();
});
afterAll(() => stopWorldBehindFrames(started));
writeTimelineOnFailure('02b', () => started?.world.timeline);
const w = () => started!.world;
const frames = () => started!.frames;

interface OrderEvent {
  orderId?: string;
  customerId?: string;
}
const bodyOf = (publish: SeenPublish) => eventOf<OrderEvent>(publish);
const orderOf = (m: TappedMessage) => (m.body as OrderEvent).orderId;

/**
 * Per order, its event types in the order of their first delivery: what a consumer that drops duplicates
 * applies. Written order for an order is OrderCreated, then OrderCancelled.
 */
function firstDeliveries(messages: readonly TappedMessage[]): Map<string, string[]> {
  const seen = new Set<string | undefined>();
  const byOrder = new Map<string, string[]>();
  for (const m of messages) {
    const orderId = orderOf(m);
    if (!orderId || seen.has(m.id)) continue;
    seen.add(m.id);
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), m.type ?? '?']);
  }
  return byOrder;
}

describe('lab 02b: a failed publish and what comes after it', () => {
  test('when the publish of an order’s OrderCreated fails while its OrderCancelled is written, then the consumer still gets OrderCreated first, and both', async () => {
    await w().startRelay();
    const [customerId, otherCustomerId] = await Promise.all([w().createCustomer(), w().createCustomer()]);
    const fault = frames().failPublish({
      // The first message of this fresh customer: the OrderCreated of the order below.
      fail: (p) => bodyOf(p).customerId === customerId,
      // Its OrderCancelled (the relay let it overtake), the other customer's order (the relay received the
      // OrderCancelled, committed before it, and held it back), or OrderCreated again (the relay gave up on it).
      release: (p) => [customerId, otherCustomerId].includes(bodyOf(p).customerId ?? ''),
    });
    const created = await w().createOrder(customerId, 30);
    expect(created.status).toBe(201);
    const orderId = created.body.id as string;
    await within(fault.failed, 8_000, 'the relay to publish the new order’s OrderCreated (the publish the grader fails)');
    // Written while RabbitMQ's answer to OrderCreated is held: the relay knows nothing of the failure yet.
    expect((await w().cancelOrder(orderId)).status).toBe(200);
    expect((await w().createOrder(otherCustomerId, 7)).status).toBe(201);
    const releasedBy = await within(fault.released, 30_000, 'the relay to publish anything after the failed OrderCreated');
    const by = releasedBy ? `${releasedBy.routingKey.split('.')[0]} of ${bodyOf(releasedBy).customerId === customerId ? 'the same order' : 'another order'}` : 'its connection closing';
    console.info(`lab 02b: OrderCreated ${orderId.slice(0, 8)} returned by RabbitMQ; its answer was handed over after the relay published ${by}`);

    const ofOrder = () => firstDeliveries(w().tap.messages).get(orderId) ?? [];
    const relayed = await w().relayedOrQuiet(() => ofOrder().length >= 2, 20_000);
    expect(
      ofOrder(),
      'the order’s events, in the order the consumer first received them: after a failed publish, nothing of the same order may be published before it is resent and confirmed, and it must be resent (never acknowledge past it)',
    ).toEqual(['OrderCreated', 'OrderCancelled']);
    expect(relayed).toBe(true);
    const outOfOrder = [...firstDeliveries(w().tap.messages)].filter(([, types]) => types.indexOf('OrderCancelled') !== -1 && types.indexOf('OrderCancelled') < types.indexOf('OrderCreated'));
    expect(outOfOrder.map(([id]) => id), 'orders whose OrderCancelled reached the consumer before their OrderCreated').toEqual([]);
    await expectEffectsExactlyOnce(
      w(),
      new Map([
        [customerId, { orders: 1, total: 0 }],
        [otherCustomerId, { orders: 1, total: 7 }],
      ]),
    );
  });
});
