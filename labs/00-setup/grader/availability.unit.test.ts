import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { importFromTarget } from '#shared/harness/target.ts';

const { composedAvailability } = await importFromTarget<typeof import('../availability.ts')>('00-setup', 'availability.ts');

const availability = fc.double({ min: 0, max: 1, noNaN: true });

describe('lab 00: the availability of a synchronous chain', () => {
  test('when a request needs three services at 99.5 %, then it is available about 98.5 % of the time', () => {
    expect(composedAvailability([0.995, 0.995, 0.995])).toBeCloseTo(0.985075, 6);
  });

  test('when one service in the chain is down for good, then the request always fails', () => {
    expect(composedAvailability([0.999, 0, 0.999])).toBe(0);
  });

  test('when the chain is empty, then the request depends on nothing and is always available', () => {
    expect(composedAvailability([])).toBe(1);
  });

  test('when the chain grows, then the request is never more available than its weakest service', () => {
    fc.assert(
      fc.property(fc.array(availability, { minLength: 1, maxLength: 8 }), (chain) => {
        expect(composedAvailability(chain)).toBeLessThanOrEqual(Math.min(...chain) + 1e-12);
      }),
    );
  });

  test('when a service joins the chain, then the availability is multiplied by that service’s', () => {
    fc.assert(
      fc.property(fc.array(availability, { maxLength: 6 }), availability, (chain, extra) => {
        expect(composedAvailability([...chain, extra])).toBeCloseTo(composedAvailability(chain) * extra, 9);
      }),
    );
  });
});
