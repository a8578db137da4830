import { defineMutants } from '#shared/harness/mutants.ts';

const file = 'order-service/api/customer-client.ts';

/** Where the client gives up on a failed call: the retry mutants insert a second call before it. */
const GIVE_UP = "        return { kind: 'unavailable', reason: describeFetchError(error, timeoutMs) };";
/** The same request once more, with its own deadline; a failure of it falls through to GIVE_UP. */
const CALL_AGAIN = `try {
  const again = await fetch(\`\${baseUrl}/customers/\${encodeURIComponent(customerId)}/credit-reservations\`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, amount }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (again.status === 201) return { kind: 'reserved' };
} catch {
  // give up below
}`;
const indent = (text: string, spaces: number) => text.split('\n').map((line) => ' '.repeat(spaces) + line).join('\n');

export default defineMutants([
  {
    id: 'no-timeout',
    note: 'calls customer-service without a deadline, so a slow customer-service makes order creation hang',
    file,
    replace: [{ from: 'signal: AbortSignal.timeout(timeoutMs),', to: '' }],
  },
  {
    id: 'errors-as-500',
    note: 'lets every failed call throw, so a refused order and an unavailable service both become a 500',
    file,
    replace: [
      { from: "if (response.status === 201) return { kind: 'reserved' };", to: "if (response.status === 201) return { kind: 'reserved' };\n        throw new Error(`customer-service answered ${response.status}`);" },
      { from: "return { kind: 'unavailable', reason: describeFetchError(error, timeoutMs) };", to: 'throw error;' },
    ],
  },
  {
    id: 'unknown-status-reserved',
    note: 'takes any status it does not check for (a 500 from customer-service) as a reservation, so an order is approved whose credit was never reserved',
    file,
    replace: [{ from: "return { kind: 'unavailable', reason: `customer-service answered ${response.status}` };", to: "return { kind: 'reserved' };" }],
  },
  {
    id: 'retry-once',
    note: 'quietly calls customer-service a second time when the first call fails, so a slow customer-service makes order creation wait twice the deadline',
    file,
    replace: [
      { from: GIVE_UP, to: `${indent(CALL_AGAIN, 8)}\n${GIVE_UP}` },
    ],
  },
  {
    id: 'retry-when-refused',
    note: 'calls customer-service again when the connection fails (not on a timeout), so an outage doubles the calls while the answer stays just as fast',
    file,
    replace: [
      // A DOMException is the deadline's abort: only a refused or reset connection is tried again.
      { from: GIVE_UP, to: `        if (!(error instanceof DOMException)) {\n${indent(CALL_AGAIN, 10)}\n        }\n${GIVE_UP}` },
    ],
  },
  {
    id: 'available-from-limit',
    note: 'reads the limit into both fields of the refusal, so a client told 1000 is available when only 700 is',
    file,
    replace: [{ from: 'available: body.available };', to: 'available: body.limit };' }],
  },
]);
