import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleType, retry, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { ProviderUnavailable, type ProviderName } from '../providers/http-json.ts';

export interface ResilienceSettings {
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Attempts after the first one, for a provider that failed (reads only: every call here is a GET). */
  retries: number;
  /** Consecutive failed attempts that open the provider's circuit. */
  breakerFailures: number;
  /** How long the circuit stays open before one probe call may go through (half-open). */
  halfOpenAfterMs: number;
}

/** What stands in for a provider's answer when it has none: its last good answer, a default, or nothing. */
export interface Fallback<T> {
  /** Use the last answer this provider gave for the same key, if there is one. */
  cached: boolean;
  /** Otherwise this value (or, without it, no fallback: the composed answer cannot be made). */
  otherwise?: { used: 'default' | 'empty'; value: T };
}

/** One provider's part of a composed answer. */
export type Part<T> =
  | { kind: 'answered'; value: T }
  | { kind: 'fallback'; value: T; used: 'cached' | 'default' | 'empty'; reason: string }
  | { kind: 'failed'; reason: string };

/** One call to a provider: `key` names what is asked (an order id), for the cache of last good answers. */
export interface ProviderCall<T> {
  key: string;
  fetch: (signal: AbortSignal) => Promise<T>;
  fallback: Fallback<T>;
}

export interface ProviderGuard {
  readonly provider: ProviderName;
  /** Calls the provider under its policies; never rejects for a provider's failure (a bug still throws). */
  call<T>(request: ProviderCall<T>, deadline: AbortSignal): Promise<Part<T>>;
}

// #region guard
/**
 * One guard per provider, made once and shared by every request: a circuit breaker only knows the provider is
 * failing if it sees every call to it. The policies nest from the outside in: retry, breaker, timeout.
 */
export function guardProvider(provider: ProviderName, settings: ResilienceSettings): ProviderGuard {
  // A 404 is an answer, and a bug is a bug: only a provider that did not answer is retried or counted.
  const failures = handleType(ProviderUnavailable).orType(TaskCancelledError);
  const perAttempt = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  const breaker = circuitBreaker(failures, { halfOpenAfter: settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breakerFailures) });
  // An open circuit (BrokenCircuitError) is not in `failures`: retrying it would be refused again at once.
  // Jittered, growing pauses keep many composers from retrying a struggling provider in lockstep.
  const retries = retry(failures, { maxAttempts: settings.retries, backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 200 }) });
  const policy = wrap(retries, breaker, perAttempt);
  const lastGood = new Map<string, unknown>();

  return {
    provider,
    async call<T>({ key, fetch, fallback }: ProviderCall<T>, deadline: AbortSignal): Promise<Part<T>> {
      try {
        // The answer's deadline is the parent signal: when it passes, the attempt under way is aborted and no
        // retry starts.
        const value = await policy.execute(({ signal }) => fetch(signal), deadline);
        if (fallback.cached) lastGood.set(key, value);
        return { kind: 'answered', value };
      } catch (error) {
        if (!(error instanceof ProviderUnavailable || error instanceof TaskCancelledError || error instanceof BrokenCircuitError)) throw error;
        const reason = error instanceof BrokenCircuitError ? 'its circuit is open' : error instanceof TaskCancelledError ? 'no answer in time' : error.message;
        if (fallback.cached && lastGood.has(key)) return { kind: 'fallback', value: lastGood.get(key) as T, used: 'cached', reason };
        if (fallback.otherwise) return { kind: 'fallback', ...fallback.otherwise, reason };
        return { kind: 'failed', reason };
      }
    },
  };
}
// #endregion guard
