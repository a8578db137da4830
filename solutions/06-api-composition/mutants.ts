import { defineMutants } from '#shared/harness/mutants.ts';

const resilience = 'composer-service/compose/resilience.ts';
const orderDetails = 'composer-service/compose/order-details.ts';

export default defineMutants([
  {
    id: 'serial-calls',
    note: 'awaits each provider before calling the next (order, kitchen, accounting, then customer), so the answer takes the SUM of their times',
    file: orderDetails,
    replace: [
      {
        from: `  const order = guards.order.call({ key: orderId, fetch: (signal) => clients.order(orderId, signal, tally), fallback: fallbacks.order }, deadline);
  const ticket = guards.kitchen.call({ key: orderId, fetch: (signal) => clients.ticket(orderId, signal, tally), fallback: fallbacks.ticket }, deadline);
  const payment = guards.accounting.call({ key: orderId, fetch: (signal) => clients.payment(orderId, signal, tally), fallback: fallbacks.payment(orderId) }, deadline);`,
        to: `  const order = Promise.resolve(await guards.order.call({ key: orderId, fetch: (signal) => clients.order(orderId, signal, tally), fallback: fallbacks.order }, deadline));
  const ticket = Promise.resolve(await guards.kitchen.call({ key: orderId, fetch: (signal) => clients.ticket(orderId, signal, tally), fallback: fallbacks.ticket }, deadline));
  const payment = Promise.resolve(await guards.accounting.call({ key: orderId, fetch: (signal) => clients.payment(orderId, signal, tally), fallback: fallbacks.payment(orderId) }, deadline));`,
      },
    ],
  },
  {
    id: 'no-timeout',
    note: 'gives an attempt no timeout of its own: a slow first attempt uses up the whole deadline instead of being retried',
    file: resilience,
    replace: [{ from: 'wrap(retries, breaker, perAttempt)', to: 'wrap(retries, breaker)' }],
  },
  {
    id: 'no-deadline',
    note: 'does not pass the request’s deadline to the policies: a hung provider holds the answer for every retry’s timeout',
    file: resilience,
    replace: [{ from: 'policy.execute(({ signal }) => fetch(signal), deadline)', to: 'policy.execute(({ signal }) => fetch(signal))' }],
  },
  {
    id: 'retry-without-bound',
    note: 'retries a failing provider without a bound (only the breaker or the deadline stops it)',
    file: resilience,
    replace: [{ from: 'maxAttempts: settings.retries', to: 'maxAttempts: Number.POSITIVE_INFINITY' }],
  },
  {
    id: 'no-breaker',
    note: 'has no circuit breaker: a provider that keeps failing is called, and retried, on every request',
    file: resilience,
    replace: [{ from: 'wrap(retries, breaker, perAttempt)', to: 'wrap(retries, perAttempt)' }],
  },
  {
    id: 'fallback-hides-failure',
    note: 'returns the fallback as if the provider had answered, so a degraded answer is not marked degraded',
    file: resilience,
    replace: [{ from: "if (fallback.otherwise) return { kind: 'fallback', ...fallback.otherwise, reason };", to: "if (fallback.otherwise) return { kind: 'answered', value: fallback.otherwise.value };" }],
  },
  {
    id: 'cache-any-key',
    note: 'keeps one last good answer per provider, not per key: a customer never seen is shown as another customer',
    file: resilience,
    replace: [
      { from: 'if (fallback.cached) lastGood.set(key, value);', to: "if (fallback.cached) lastGood.set('last', value);" },
      { from: "if (fallback.cached && lastGood.has(key)) return { kind: 'fallback', value: lastGood.get(key) as T,", to: "if (fallback.cached && lastGood.has('last')) return { kind: 'fallback', value: lastGood.get('last') as T," },
    ],
  },
  {
    id: 'not-found-is-failure',
    note: 'treats a provider’s 404 (no ticket yet) as a failure: retried, counted by the breaker, and shown as degraded',
    file: 'composer-service/providers/http-json.ts',
    replace: [{ from: '  if (response.status === 404) {\n', to: "  if (response.status === 404) {\n    throw new ProviderUnavailable(provider, 'it answered 404');\n" }],
  },
]);
