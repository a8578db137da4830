import { LabTodo } from '#shared/platform/todo.ts';

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
      // TODO(lab 01): call customer-service: POST `${baseUrl}/customers/:customerId/credit-reservations` with
      // { orderId, amount }, give up after `timeoutMs`, and turn every way the call can end into a CreditResult
      // (201, 404, 422 with { limit, available }, any other status, refused, reset, timed out).
      // See http://localhost:3000/labs/01-sync-mesh and `npm run hint -- 01`.
      throw new LabTodo('01', 'reserveCredit in labs/01-sync-mesh/order-service/api/customer-client.ts');
    },
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
