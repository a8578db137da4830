import { defineMutants } from '#shared/harness/mutants.ts';

const file = 'order-service/api/customer-client.ts';

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
]);
