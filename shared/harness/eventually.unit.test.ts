import { describe, expect, test } from 'vitest';
import { eventually } from './eventually.ts';

describe('eventually', () => {
  test('when the check passes on a later attempt, then its value is returned', async () => {
    let attempts = 0;
    await expect(eventually(() => (++attempts >= 3 ? attempts : false), { intervalMs: 1 })).resolves.toBe(3);
  });

  test('when the deadline passes, then the error says what was awaited and why the last attempt failed', async () => {
    const waiting = eventually(
      () => {
        throw new Error('still 0 rows');
      },
      { timeoutMs: 50, intervalMs: 5, description: 'the order to be stored' },
    );
    await expect(waiting).rejects.toThrow(/the order to be stored: still not true after 50 ms \(last attempt: still 0 rows\)/);
  });
});
