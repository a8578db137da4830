import { describe, expect, test } from 'vitest';
import { eventually, whileProgressing } from './eventually.ts';

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

describe('whileProgressing', () => {
  test('when the world is quiet and the value holds through the quiet window, then it judges before the stillness fallback', async () => {
    let reads = 0;
    const result = await whileProgressing(async () => Math.min(++reads, 3), { quiet: async () => reads >= 3, quietMs: 40, stillMs: 5_000, intervalMs: 5 });
    expect(result.why).toBe('quiet');
    expect(result.value).toBe(3);
    expect(result.ms).toBeLessThan(1_000);
  });

  test('when the value changes inside the quiet window, then the window starts again from the change', async () => {
    const started = Date.now();
    // Quiet throughout, but a late effect lands after 20 ms (as a message a consumer held would).
    const result = await whileProgressing(async () => (Date.now() - started >= 20 ? 2 : 1), { quiet: async () => true, quietMs: 50, intervalMs: 5 });
    expect(result).toMatchObject({ why: 'quiet', value: 2 });
    expect(Date.now() - started, 'a whole quiet window after the change').toBeGreaterThanOrEqual(70);
  });

  test('when the world is never quiet, then it falls back to judging once the value stood still', async () => {
    const result = await whileProgressing(async () => 'stuck', { quiet: async () => false, quietMs: 10, stillMs: 60, intervalMs: 5 });
    expect(result.why).toBe('still');
    expect(result.ms).toBeGreaterThanOrEqual(60);
  });

  test('when a value is final, then it stops at once', async () => {
    const result = await whileProgressing(async () => 7, { final: (v) => v > 5, quiet: async () => false });
    expect(result).toMatchObject({ why: 'final', value: 7 });
  });
});
