/** What order-service needs to know about a credit reservation, whatever happened on the wire. */
export type CreditResult =
  | { kind: 'reserved' }
  | { kind: 'limit-exceeded'; limit: number; available: number }
  | { kind: 'customer-not-found' }
  | { kind: 'unavailable'; reason: string };

export interface CustomerClient {
  reserveCredit(request: { customerId: string; orderId: string; amount: number }): Promise<CreditResult>;
}

/**
 * The synchronous call at the heart of lab 01: order-service cannot answer its own client until
 * customer-service has answered it. Every way that call can end becomes one CreditResult.
 */
export function createCustomerClient(baseUrl: string, timeoutMs: number): CustomerClient {
  return {
    async reserveCredit({ customerId, orderId, amount }) {
      // #region reserve-credit
      try {
        const response = await fetch(`${baseUrl}/customers/${encodeURIComponent(customerId)}/credit-reservations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orderId, amount }),
          // Without a deadline, a slow customer-service holds our client's request (and a socket) for as long
          // as it likes: its slowness becomes ours. The deadline also covers reading the body below.
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.status === 201) return { kind: 'reserved' };
        if (response.status === 404) return { kind: 'customer-not-found' };
        if (response.status === 422) {
          const body = (await response.json()) as { limit: number; available: number };
          return { kind: 'limit-exceeded', limit: body.limit, available: body.available };
        }
        // A 5xx (or anything unexpected) says nothing about the order itself: the call failed.
        return { kind: 'unavailable', reason: `customer-service answered ${response.status}` };
      } catch (error) {
        // Refused, reset or timed out: customer-service is down or too slow, and the order cannot be decided.
        return { kind: 'unavailable', reason: describeFetchError(error, timeoutMs) };
      }
      // #endregion reserve-credit
    },
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
