import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, test } from 'vitest';
import { describeAvailability, readAvailability, recordAvailability } from '#shared/harness/availability-record.ts';
import { eventually } from '#shared/harness/eventually.ts';
import { whileFlapping } from '#shared/harness/flapping.ts';
import { body, SETTINGS, show, useCompositionWorld, type CompositionWorld, type HttpAnswer, type Provider } from './world.ts';

// Lab 06's checks, in one file so that one world serves them all: what the composer joins, how long it takes
// (the calls' graph: MAX, not SUM), what it answers when a provider fails, its circuit breakers, and the
// availability of the composed query while a provider flaps. The checks that catch the most mistakes soonest
// come first. A short half-open delay keeps the breaker checks (and the flapping) quick.
const graded = useCompositionWorld();
const injectFaults = () => graded.injectFaults();
let world: CompositionWorld;
beforeEach(() => {
  world = graded.world;
});
const counting = <T>(act: () => Promise<T>) => world.counting(act);

/** Each delayed provider call takes this long: large against the few milliseconds of noise on a busy machine. */
const CALL_MS = 300;

/**
 * One answer, asked again once if it missed `boundMs` by a little: a pause of the busy machine can slow one
 * answer down, never speed one up. An answer far over the bound is not noise, and is judged as it is.
 */
async function timed(ask: () => Promise<HttpAnswer>, boundMs: number): Promise<HttpAnswer> {
  const first = await ask();
  if (first.ms < boundMs || first.ms > 1.25 * boundMs) return first;
  const second = await ask();
  return second.ms < first.ms ? second : first;
}

/**
 * The answer while kitchen-service fails, as the policies' checks (step 3) judge it: a 200 once its fallback
 * stands in (step 4), a 503 naming kitchen before that. How the fallback stands in, marked degraded, is judged
 * by the fallback checks, so a learner between steps 3 and 4 is sent to step 4, not back to step 3.
 */
function expectAnsweredWithoutKitchen(answer: HttpAnswer): void {
  const asExpected = answer.status === 200 || (answer.status === 503 && body(answer).provider === 'kitchen');
  expect(asExpected, `kitchen-service failed: 200 with its fallback (before step 4, a 503 naming kitchen); it answered ${show(answer)}`).toBe(true);
}

function delayEach(providers: Provider[]): void {
  for (const p of providers) world.delay(p, CALL_MS);
}

describe('lab 06: the composed answer', () => {
  test('when every provider answers, then the order details join their four answers, nothing degraded', async () => {
    const customerId = await world.createCustomer('Ada');
    const { orderId } = await world.seedOrder(customerId, { total: 1_250 });
    const { result: answer, calls } = await counting(() => world.details(orderId));
    expect(answer.status, `GET /order-details/${orderId} should answer 200; it answered ${show(answer)}`).toBe(200);
    const b = body(answer);
    expect(b.order?.id, 'the answer carries the order').toBe(orderId);
    expect(b.customer?.name, "the answer carries the order's customer").toBe('Ada');
    expect(b.ticket?.state, 'the answer carries the kitchen ticket').toBe('APPROVED');
    expect(b.payment?.state, "the answer carries accounting's authorization").toBe('AUTHORIZED');
    expect(b.degraded, 'with every provider answering, nothing is degraded').toEqual([]);
    expect(calls, 'one call to each provider, no more').toEqual({ order: 1, customer: 1, kitchen: 1, accounting: 1 });
    expect(b.providerCalls, 'providerCalls reports the calls made').toBe(4);
  });

  test('when the order has no ticket and no payment yet, then they are null, nothing is degraded and nothing is retried', async () => {
    const customerId = await world.createCustomer();
    const { orderId } = await world.seedOrder(customerId, { ticket: null, payment: null });
    const { result: answer, calls } = await counting(() => world.details(orderId));
    expect(answer.status, show(answer)).toBe(200);
    expect(body(answer).ticket, 'a 404 from kitchen-service is its answer: no ticket yet').toBeNull();
    expect(body(answer).payment, 'a 404 from accounting-service is its answer: no payment yet').toBeNull();
    expect(body(answer).degraded, 'a provider that answered 404 did answer: that is not a degraded answer').toEqual([]);
    expect(calls, 'a 404 is not a failure: it is neither retried nor counted against the provider').toEqual({ order: 1, customer: 1, kitchen: 1, accounting: 1 });
  });

  test('when the order does not exist, then 404 naming the id', async () => {
    const orderId = randomUUID();
    const answer = await world.details(orderId);
    expect(answer.status, `an unknown order should be a 404, never a 500; it answered ${show(answer)}`).toBe(404);
    expect(body(answer).field).toBe('id');
    expect(String(body(answer).error), 'the error names the order').toContain(orderId);
  });

  test('when the id is not a uuid, then 400 naming the field, and no provider is called', async () => {
    const { result, calls } = await counting(async () => [await world.details('not-a-uuid'), await world.customerDetails('42')]);
    for (const answer of result) {
      expect(answer.status, show(answer)).toBe(400);
      expect(body(answer).field).toBe('id');
    }
    expect(calls, 'a malformed id is refused before any call').toEqual({ order: 0, customer: 0, kitchen: 0, accounting: 0 });
  });

  test("when a customer's orders are listed, then each provider is called once, however many orders there are", async () => {
    const customerId = await world.createCustomer('Grace');
    const orders = [await world.seedOrder(customerId, { total: 100 }), await world.seedOrder(customerId, { total: 200, ticket: null, payment: null }), await world.seedOrder(customerId, { total: 300, ticket: 'CREATE_PENDING' })];
    const { result: answer, calls } = await counting(() => world.customerDetails(customerId));
    expect(answer.status, `GET /customers/${customerId}/order-details should answer 200; it answered ${show(answer)}`).toBe(200);
    const b = body(answer);
    expect(b.customer?.name).toBe('Grace');
    const byId = new Map((b.orders as any[]).map((o) => [o.order?.id, o]));
    expect([...byId.keys()].sort(), 'every order of the customer is listed').toEqual(orders.map((o) => o.orderId).sort());
    expect(byId.get(orders[0]!.orderId)?.ticket?.state, 'each ticket is joined to its own order').toBe('APPROVED');
    expect(byId.get(orders[1]!.orderId)?.ticket, 'an order without a ticket has ticket null').toBeNull();
    expect(byId.get(orders[2]!.orderId)?.ticket?.state).toBe('CREATE_PENDING');
    expect(byId.get(orders[0]!.orderId)?.payment?.state).toBe('AUTHORIZED');
    expect(b.degraded).toEqual([]);
    expect(calls, `one request per provider: the batch endpoints (GET /tickets?orderIds=…) fetch every order at once, not one round trip per order; the providers saw ${JSON.stringify(calls)}`).toEqual({ order: 1, customer: 1, kitchen: 1, accounting: 1 });
    expect(b.providerCalls, 'providerCalls reports the calls made').toBe(4);

    const unknown = await world.customerDetails(randomUUID());
    expect(unknown.status, `a customer nobody knows, with no orders, is a 404; it answered ${show(unknown)}`).toBe(404);
  });
});

describe('lab 06: a provider that fails', () => {
  test('when kitchen-service refuses connections and accounting-service resets them, then 200 with their fallbacks, marked degraded', async () => {
    injectFaults();
    const customerId = await world.createCustomer('Edsger');
    const { orderId } = await world.seedOrder(customerId);
    world.down('kitchen');
    world.proxy('accounting').dropResponses(true);
    const answer = await world.details(orderId);
    expect(answer.status, `a failing kitchen or accounting must not fail the whole answer (a fallback stands in); it answered ${show(answer)}`).toBe(200);
    const b = body(answer);
    expect(b.order?.id).toBe(orderId);
    expect(b.customer?.name, 'the providers that answered are in the answer').toBe('Edsger');
    expect(b.ticket, "kitchen's fallback is empty: no ticket").toBeNull();
    expect(b.payment?.state, "accounting's fallback is a default: the payment's state is UNKNOWN").toBe('UNKNOWN');
    expect([...(b.degraded ?? [])].sort(), 'a degraded answer must say which providers it lacks: degraded: ["accounting", "kitchen"]').toEqual(['accounting', 'kitchen']);
    expect(b.fallbacks?.kitchen?.used, 'fallbacks.kitchen says what was filled in').toBe('empty');
    expect(b.fallbacks?.accounting?.used).toBe('default');
    expect(answer.ms, 'a refused or reset connection is known at once: no waiting for the deadline').toBeLessThan(SETTINGS.deadlineMs);
  });

  test('when a provider fails, then it is retried, and never more than PROVIDER_RETRIES times', async () => {
    injectFaults();
    const { orderId } = await world.seedOrder(await world.createCustomer());
    world.down('kitchen');
    const { result: answer, calls } = await counting(() => world.details(orderId));
    expectAnsweredWithoutKitchen(answer);
    expect(
      calls.kitchen,
      `kitchen-service refused every connection: the composer should try it once and retry it PROVIDER_RETRIES (${SETTINGS.retries}) times, ${1 + SETTINGS.retries} calls in all; it made ${calls.kitchen}`,
    ).toBe(1 + SETTINGS.retries);
    expect({ order: calls.order, customer: calls.customer, accounting: calls.accounting }, 'the providers that answered are called once').toEqual({ order: 1, customer: 1, accounting: 1 });
    if (answer.status === 200) expect(body(answer).providerCalls, 'providerCalls counts every call made, retries included').toBe(calls.order + calls.customer + calls.kitchen + calls.accounting);
  });

  test('when customer-service is down, then the last answer seen for that customer stands in, marked cached', async () => {
    injectFaults();
    const customerId = await world.createCustomer('Barbara');
    const first = await world.seedOrder(customerId);
    const second = await world.seedOrder(customerId);
    expect((await world.details(first.orderId)).status).toBe(200);
    const strangerOrder = await world.seedOrder(await world.createCustomer('never seen'));
    world.down('customer');
    const answer = await world.details(second.orderId);
    expect(answer.status, show(answer)).toBe(200);
    expect(body(answer).customer?.name, 'the customer read a moment ago (for another order) is the fallback').toBe('Barbara');
    expect(body(answer).degraded, 'a cached value is still a degraded answer: say so').toEqual(['customer']);
    expect(body(answer).fallbacks?.customer?.used).toBe('cached');
    const stranger = await world.details(strangerOrder.orderId);
    expect(stranger.status, show(stranger)).toBe(200);
    expect(body(stranger).customer, 'a customer never seen has no cached value: left out, not borrowed from another customer').toBeNull();
    expect(body(stranger).fallbacks?.customer?.used).toBe('empty');
  });

  test('when order-service is down, then 503 naming it, for one order and for a list', async () => {
    injectFaults();
    const customerId = await world.createCustomer();
    const { orderId } = await world.seedOrder(customerId);
    world.down('order');
    for (const answer of [await world.details(orderId), await world.customerDetails(customerId)]) {
      expect(answer.status, `without the order there is nothing to compose: 503 (never a 500, nor a 200 without the order); it answered ${show(answer)}`).toBe(503);
      expect(String(body(answer).error), 'the error says which provider is unavailable').toMatch(/order/);
    }
    world.proxy('order').refuse(false);
    world.proxy('order').dropResponses(true);
    const reset = await world.details(orderId);
    expect(reset.status, `a reset connection is the same: 503; it answered ${show(reset)}`).toBe(503);
  });
});

/**
 * Asks for the details until kitchen-service stops seeing calls: the circuit is open. Returns how many
 * requests that took and how many calls kitchen-service saw meanwhile.
 */
async function openKitchenCircuit(orderId: string): Promise<{ requests: number; calls: number }> {
  world.down('kitchen');
  const before = world.attempts('kitchen');
  for (let requests = 1; requests <= SETTINGS.breakerFailures + 1; requests++) {
    const { result: answer, calls } = await world.counting(() => world.details(orderId));
    expectAnsweredWithoutKitchen(answer);
    if (calls.kitchen === 0) return { requests, calls: world.attempts('kitchen') - before };
  }
  throw new Error(
    `kitchen-service refused every call for ${SETTINGS.breakerFailures + 1} requests, and the composer kept calling it (${world.attempts('kitchen') - before} calls). ` +
      `With BREAKER_FAILURES=${SETTINGS.breakerFailures}, its circuit should open after ${SETTINGS.breakerFailures} failures in a row, and calls stop until BREAKER_HALF_OPEN_MS (${SETTINGS.halfOpenAfterMs} ms) passes.`,
  );
}

describe('lab 06: circuit breaker', () => {
  test('when kitchen-service keeps failing, then its circuit opens: no call reaches it, answers come at once, and the other providers are still called', async () => {
    graded.injectFaults();
    const { orderId } = await world.seedOrder(await world.createCustomer());
    const opened = await openKitchenCircuit(orderId);
    expect(opened.calls, `the breaker opens after BREAKER_FAILURES (${SETTINGS.breakerFailures}) failed calls, retries included`).toBeLessThanOrEqual(SETTINGS.breakerFailures + SETTINGS.retries);
    const answers: HttpAnswer[] = [];
    const { calls } = await world.counting(async () => {
      for (let i = 0; i < 5; i++) answers.push(await world.details(orderId));
    });
    expect(calls.kitchen, 'while the circuit is open, kitchen-service sees no call at all').toBe(0);
    expect({ order: calls.order, customer: calls.customer, accounting: calls.accounting }, "one provider's open circuit does not stop calls to the others: one breaker per provider").toEqual({ order: 5, customer: 5, accounting: 5 });
    for (const answer of answers) {
      expectAnsweredWithoutKitchen(answer);
      if (answer.status === 200) expect(body(answer).payment?.state, 'the answers of the providers still called are there').toBe('AUTHORIZED');
      expect(answer.ms, 'an open circuit fails at once: no timeout to wait for').toBeLessThan(SETTINGS.timeoutMs / 2);
    }
  });
});

describe('lab 06: the deadline', () => {
  test('when a provider never answers, then the answer still comes by the deadline, without that provider', async () => {
    injectFaults();
    const { orderId } = await world.seedOrder(await world.createCustomer());
    world.proxy('kitchen').setLatency(60_000);
    const answer = await world.details(orderId, SETTINGS.deadlineMs + 600);
    expect(answer.ms, `COMPOSE_DEADLINE_MS (${SETTINGS.deadlineMs} ms) bounds the whole answer, retries included: is the deadline passed to every call?`).toBeLessThan(SETTINGS.deadlineMs + 500);
    expectAnsweredWithoutKitchen(answer);
  });
});

describe('lab 06: latency follows the dependency graph', () => {
  test(`when every provider takes ${CALL_MS} ms, then the details take t(order) + t(customer), not the sum of all four`, async () => {
    const { orderId } = await world.seedOrder(await world.createCustomer());
    delayEach(['order', 'customer', 'kitchen', 'accounting']);
    const answer = await timed(() => world.details(orderId), 3 * CALL_MS);
    expect(answer.status, show(answer)).toBe(200);
    expect(body(answer).degraded, 'every provider answered within its timeout').toEqual([]);
    expect(answer.ms, `the customer call needs the order's customerId, so at least ${2 * CALL_MS} ms; less means the delays were not applied`).toBeGreaterThanOrEqual(2 * CALL_MS - 50);
    expect(
      answer.ms,
      `calls one after the other take the SUM (${4 * CALL_MS} ms); along the graph, kitchen and accounting run beside order → customer: about ${2 * CALL_MS} ms. It took ${answer.ms} ms`,
    ).toBeLessThan(3 * CALL_MS);
  });

  test(`when the order, the ticket and the payment each take ${CALL_MS} ms, then the ticket and the payment do not wait for the order`, async () => {
    const { orderId } = await world.seedOrder(await world.createCustomer());
    delayEach(['order', 'kitchen', 'accounting']);
    const answer = await timed(() => world.details(orderId), 1.6 * CALL_MS);
    expect(answer.status, show(answer)).toBe(200);
    expect(
      answer.ms,
      `the ticket and the payment are keyed by the order's id, known before the order arrives: started at once, everything is done in about ${CALL_MS} ms. ` +
        `Waiting for the order first takes ${2 * CALL_MS} ms. It took ${answer.ms} ms`,
    ).toBeLessThan(1.6 * CALL_MS);
  });

  test(`when every provider takes ${CALL_MS} ms, then a customer's list takes t(orders) + t(tickets), not the sum`, async () => {
    const customerId = await world.createCustomer();
    for (let i = 0; i < 3; i++) await world.seedOrder(customerId);
    delayEach(['order', 'customer', 'kitchen', 'accounting']);
    const answer = await timed(() => world.customerDetails(customerId), 3 * CALL_MS);
    expect(answer.status, show(answer)).toBe(200);
    expect((body(answer).orders as unknown[]).length).toBe(3);
    expect(
      answer.ms,
      `the customer and the orders need only the customer's id; the tickets and payments need the orders' ids: about ${2 * CALL_MS} ms along the graph, ` +
        `${4 * CALL_MS} ms one call after the other, more with one call per order. It took ${answer.ms} ms`,
    ).toBeLessThan(3 * CALL_MS);
  });
});

describe('lab 06: a timeout for each attempt', () => {
  test('when the first attempt is slower than the timeout, then it is abandoned and the retry answers', async () => {
    injectFaults();
    const { orderId } = await world.seedOrder(await world.createCustomer());
    const kitchen = world.proxy('kitchen');
    const before = world.attempts('kitchen');
    kitchen.setLatency(30_000);
    const pending = world.details(orderId, SETTINGS.deadlineMs + 600);
    // The first attempt has reached the proxy, where it is held: later calls go through at once.
    await eventually(() => world.attempts('kitchen') > before, { intervalMs: 5, description: 'the first call to kitchen-service to reach its proxy' });
    kitchen.setLatency(0);
    const answer = await pending;
    expect(answer.status, show(answer)).toBe(200);
    expect(
      body(answer).degraded,
      `kitchen-service held its first call for 30 s and answered the next one at once: with a timeout of PROVIDER_TIMEOUT_MS (${SETTINGS.timeoutMs} ms) on each attempt, the retry gets the ticket. Does each attempt have its own timeout?`,
    ).toEqual([]);
    expect(body(answer).ticket?.state).toBe('APPROVED');
    expect(answer.ms, 'the answer comes soon after the first attempt times out').toBeLessThan(SETTINGS.timeoutMs + 1_000);
  });


});

describe('lab 06: circuit breaker, recovery', () => {
  test('when kitchen-service is back, then one probe after the half-open delay closes the circuit again', async () => {
    graded.injectFaults();
    const { orderId } = await world.seedOrder(await world.createCustomer());
    await openKitchenCircuit(orderId);
    const before = world.attempts('kitchen');
    world.heal();
    const full = await eventually(
      async () => {
        const answer = await world.details(orderId);
        return answer.status === 200 && body(answer).ticket?.state === 'APPROVED' ? answer : false;
      },
      { timeoutMs: SETTINGS.halfOpenAfterMs + 3_000, intervalMs: 50, description: `a full answer again, once BREAKER_HALF_OPEN_MS (${SETTINGS.halfOpenAfterMs} ms) passed and the probe reached kitchen-service` },
    );
    expect(body(full).ticket?.state).toBe('APPROVED');
    expect(world.attempts('kitchen') - before, 'until the half-open delay passes, nothing reaches kitchen-service; then one probe closes the circuit').toBe(1);
    const after = await world.counting(() => world.details(orderId));
    expect(after.calls.kitchen, 'the circuit is closed again: every request calls kitchen-service').toBe(1);
    expect(body(after.result).degraded).toEqual([]);
  });
});

describe('lab 06: availability under a flapping provider', () => {
  test('when kitchen-service flaps, then every request is answered, and only the answers while it is down are degraded', async () => {
    const { orderId } = await world.seedOrder(await world.createCustomer());
    const answers: HttpAnswer[] = [];
    const { uptime } = await whileFlapping(world.world.service('kitchen-service'), async () => {
      answers.push(await world.details(orderId, 5_000));
    });

    const answered = answers.filter((a) => a.status === 200);
    const complete = answered.filter((a) => (body(a).degraded as unknown[]).length === 0);
    const strange = [...new Set(answers.filter((a) => a.status !== 200).map(show))];
    expect(strange.slice(0, 3), 'with a fallback for kitchen-service, every request is answered 200 (complete or degraded); these were not').toEqual([]);
    for (const a of answered) {
      expect(body(a).order?.id, 'a degraded answer still has the order').toBe(orderId);
      expect(body(a).degraded, 'only kitchen-service flapped: no other provider may be marked degraded').toEqual((body(a).degraded as unknown[]).length ? ['kitchen'] : []);
    }
    expect(complete.length, 'some answers are complete while kitchen-service is up').toBeGreaterThan(0);
    const fullShare = complete.length / answers.length;
    expect(fullShare, 'complete answers cannot be more available than kitchen-service itself').toBeLessThanOrEqual(uptime + 0.1);

    const availability = answered.length / answers.length;
    recordAvailability('06', { availability, uptime, attempts: answers.length });
    const percent = (x: number) => `${(x * 100).toFixed(0)} %`;
    const lab01 = readAvailability()['01'];
    console.info(
      [
        `lab 06: the composed query answered ${percent(availability)} of ${answers.length} requests while kitchen-service was up ${percent(uptime)} of the time; ${percent(fullShare)} were complete, the rest degraded: ["kitchen"]`,
        `lab 00's formula, a chain that needs all four providers (three always up): 1 × 1 × 1 × ${uptime.toFixed(2)} = ${percent(uptime)}; with a fallback, the query needs only order-service`,
        lab01 ? `lab 01 (measured the same way, ${lab01.target}, ${lab01.at.slice(0, 16)}): ${describeAvailability(lab01)}` : 'lab 01: no figure yet; run `npm run grade -- 01` to compare',
      ].join('\n'),
    );
  });
});
