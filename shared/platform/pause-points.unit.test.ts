import { describe, expect, test } from 'vitest';
import { PausePoints } from './pause-points.ts';

describe('pause points', () => {
  test('given a pause armed for one order, when runs reach the point, then only that order’s run waits, until released', async () => {
    const points = new PausePoints();
    points.arm('credit write', { orderId: 'order-1' });
    const went: string[] = [];
    const first = points.pause('credit write', { orderId: 'order-1', customerId: 'c' }).then(() => went.push('order-1'));
    await points.pause('credit write', { orderId: 'order-2', customerId: 'c' }).then(() => went.push('order-2'));
    await points.pause('elsewhere', { orderId: 'order-1' }).then(() => went.push('order-1 elsewhere'));
    expect(went).toEqual(['order-2', 'order-1 elsewhere']);
    expect(points.waiting()).toEqual([{ point: 'credit write', orderId: 'order-1', customerId: 'c' }]);

    expect(points.release('credit write', { orderId: 'order-1' })).toBe(1);
    await first;
    expect(went).toEqual(['order-2', 'order-1 elsewhere', 'order-1']);
    expect(points.waiting()).toEqual([]);
  });

  test('given a released pause, when the same order reaches the point again, then it goes on: a release disarms', async () => {
    const points = new PausePoints();
    points.arm('credit write', { customerId: 'c' });
    expect(points.stops('credit write', { orderId: 'o', customerId: 'c' })).toBe(true);
    expect(points.release('credit write', { customerId: 'c' })).toBe(0);
    expect(points.stops('credit write', { orderId: 'o', customerId: 'c' })).toBe(false);
    await points.pause('credit write', { orderId: 'o', customerId: 'c' });
  });

  test('given a pause armed once, when two runs of one order reach the point, then only the first waits', async () => {
    const points = new PausePoints();
    points.arm('credit write', { orderId: 'order-1' }, { once: true });
    const first = points.pause('credit write', { orderId: 'order-1' });
    await points.pause('credit write', { orderId: 'order-1' });
    expect(points.waiting()).toEqual([{ point: 'credit write', orderId: 'order-1', customerId: undefined }]);
    expect(points.stops('credit write', { orderId: 'order-1' }), 'the pause is spent').toBe(false);
    expect(points.release('credit write', { orderId: 'order-1' })).toBe(1);
    await first;
  });
});
