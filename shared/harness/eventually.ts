import { mutantAlreadyCaught } from './mutant-caught.ts';

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
    // Under verify, once another check failed the run's verdict is known: waiting out the deadline would only
    // make the run longer. Never true for a learner's run or the solution's.
    if (Date.now() >= deadline || mutantAlreadyCaught()) {
      const why = lastError instanceof Error ? lastError.message : String(lastError);
      const what = description ? `${description}: ` : '';
      throw new Error(`${what}still not true after ${timeoutMs} ms (last attempt: ${why})`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface ProgressOptions<T> {
  /** A value that is final as soon as it is seen (a doubled effect never heals): stop at once. */
  final?: (value: T) => boolean;
  /**
   * Whether the world is quiet now: nothing waiting to be sent or delivered. When it is quiet and the value
   * stays the same for `quietMs` after it, nothing can change the value any more: judge then.
   */
  quiet?: () => Promise<boolean>;
  /** How long quiet must hold, with the value unchanged, before judging (default 1 s). */
  quietMs?: number;
  /** The fallback when something keeps the world from being quiet: judge once the value is still this long (default 5 s). */
  stillMs?: number;
  /** Judge what is there after this long, whatever moves (default 30 s). */
  timeoutMs?: number;
  intervalMs?: number;
}

export interface Progress<T> {
  value: T;
  /** Why the wait ended: the value was final, the world was quiet, the value stood still, or time ran out. */
  why: 'final' | 'quiet' | 'still' | 'timeout';
  ms: number;
}

/**
 * Reads `read` until its value can no longer change, and returns it for the caller to judge; it never
 * throws on a value it does not like. Used where a wrong answer (effects lost or doubled) must be judged
 * as surely as a right one, and soon: as soon as the world is quiet, else once nothing moved for `stillMs`.
 */
export async function whileProgressing<T>(read: () => Promise<T>, options: ProgressOptions<T> = {}): Promise<Progress<T>> {
  const { final, quiet, quietMs = 1_000, stillMs = 5_000, timeoutMs = 30_000, intervalMs = 50 } = options;
  const started = Date.now();
  let fingerprint: string | undefined;
  let changedAt = started;
  let quietSince: number | undefined;
  for (;;) {
    const readAt = Date.now();
    const value = await read();
    const now = Date.now();
    const seen = JSON.stringify(value);
    if (seen !== fingerprint) {
      fingerprint = seen;
      changedAt = now;
      quietSince = undefined;
    }
    const end = (why: Progress<T>['why']) => ({ value, why, ms: now - started });
    if (final?.(value)) return end('final');
    // Under verify, once another check failed, nothing this wait could show changes the verdict.
    if (mutantAlreadyCaught()) return end('timeout');
    // Quiet is asked only while the value stands still: a value that just changed restarts the window anyway.
    if (quiet && now !== changedAt && (await quiet())) {
      // Quiet at the start of the window and again at its end, and the value read after the window unchanged:
      // whatever a consumer held when the window opened has had `quietMs` to take effect.
      quietSince ??= Date.now();
      if (readAt - quietSince >= quietMs) return end('quiet');
    } else {
      quietSince = undefined;
    }
    if (now - changedAt >= stillMs) return end('still');
    if (now - started >= timeoutMs) return end('timeout');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits for `promise`, failing with `description` after `ms`: for an event the harness awaits (a held frame). */
export async function within<T>(promise: Promise<T>, ms: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${description}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
