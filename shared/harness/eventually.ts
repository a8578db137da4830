export interface EventuallyOptions {
  /** Give up after this many milliseconds (default 5 s). */
  timeoutMs?: number;
  /** Wait this long between attempts (default 25 ms). */
  intervalMs?: number;
  /** Said in the error when the deadline passes: what we were waiting for. */
  description?: string;
}

/**
 * Retries `check` until it stops throwing (or returns a value other than `false`), or the deadline passes.
 * Graders wait on outcomes this way instead of sleeping a fixed time: a fixed sleep is either too short on
 * a slow machine (a flaky test) or too long on a fast one (a slow test).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 25, description }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      lastError = new Error('the check returned false');
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? lastError.message : String(lastError);
      const what = description ? `${description}: ` : '';
      throw new Error(`${what}still not true after ${timeoutMs} ms (last attempt: ${why})`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
