import { describe, expect, test } from 'vitest';
import { percentile, table } from './stats.ts';

describe('benchmark statistics', () => {
  test('when percentiles are taken, then they follow the nearest-rank rule', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test('when a table is printed, then the first column is left-aligned and the others right-aligned', () => {
    expect(table([['name', 'n'], ['a', '100'], ['longer', '2']])).toBe(['name' + ' '.repeat(7) + 'n', 'a' + ' '.repeat(8) + '100', 'longer' + ' '.repeat(5) + '2'].join('\n'));
  });
});
