/** The providers a composer calls, by the name its answers use (`degraded: ["kitchen"]`). */
export type ProviderName = 'order' | 'customer' | 'kitchen' | 'accounting';

/** Counts the HTTP requests one composed answer sent, retries included: the answer reports it. */
export interface Tally {
  calls: number;
}

/**
 * The provider could not answer: refused or reset connection, no answer in time, a 5xx, or a body that is not
 * JSON. Only this kind of failure is worth retrying or counting against the provider's circuit breaker. A
 * 404 is not a failure: it is the provider's answer ("no ticket for this order").
 */
export class ProviderUnavailable extends Error {
  constructor(
    readonly provider: ProviderName,
    reason: string,
  ) {
    super(`${provider} provider unavailable: ${reason}`);
    this.name = 'ProviderUnavailable';
  }
}

/** One GET: the body on 2xx, `undefined` on 404, ProviderUnavailable for anything the provider failed at. */
export async function getJson<T>(provider: ProviderName, url: string, signal: AbortSignal, tally: Tally): Promise<T | undefined> {
  tally.calls += 1;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    // Refused, reset or aborted: the same to the caller, the provider did not answer.
    throw new ProviderUnavailable(provider, describeFetchError(error));
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status >= 500) throw new ProviderUnavailable(provider, `it answered ${response.status}`);
  // Ids are validated before any call, so a 4xx here is a bug in the composer, not the provider's fault.
  if (response.status >= 400) throw new Error(`${provider} provider refused ${url}: ${response.status} ${await response.text()}`);
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new ProviderUnavailable(provider, `its answer could not be read (${describeFetchError(error)})`);
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException) return error.name === 'TimeoutError' || error.name === 'AbortError' ? 'the call was aborted (timeout or deadline)' : error.message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
