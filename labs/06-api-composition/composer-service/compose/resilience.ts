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
 * failing if it sees every call to it.
 */
export function guardProvider(provider: ProviderName, settings: ResilienceSettings): ProviderGuard {
  // TODO(lab 06): guard each call with cockatiel: a timeout per attempt (settings.timeoutMs), bounded retries
  // with backoff (settings.retries), and a circuit breaker (settings.breakerFailures, settings.halfOpenAfterMs),
  // all under the request's `deadline`. When they give up, answer with the call's fallback (the last good
  // value if `fallback.cached`, else `fallback.otherwise`) and say so. Today a call has no timeout, is tried
  // once, and a failure leaves no answer at all.
  // See http://localhost:3000/labs/06-api-composition and `npm run hint -- 06`.
  return {
    provider,
    async call<T>({ fetch }: ProviderCall<T>, _deadline: AbortSignal): Promise<Part<T>> {
      try {
        return { kind: 'answered', value: await fetch(new AbortController().signal) };
      } catch (error) {
        if (!(error instanceof ProviderUnavailable)) throw error;
        return { kind: 'failed', reason: error.message };
      }
    },
  };
}
// #endregion guard
