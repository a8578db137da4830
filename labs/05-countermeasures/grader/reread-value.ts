import type { HttpAnswer } from '#shared/harness/world.ts';
import type { CountermeasuresWorld, Hold, OrderState, Saga } from './world.ts';

/**
 * Reread value, as a forced interleaving: Revise Order A is held between its read of the order and its write;
 * Revise Order B of the same order runs meanwhile; A is released. Like scenarios.ts, it only observes: the
 * naive variant's file asserts the lost update, the countermeasures' file that it did not happen.
 */

/** POST /orders/:id/revise, with the Retry-After header a locked order answers with. */
export async function revise(world: CountermeasuresWorld, orderId: string, body: unknown): Promise<HttpAnswer & { retryAfter: string | null }> {
  const response = await fetch(`http://127.0.0.1:${world.world.addresses.port('order-service')}/orders/${orderId}/revise`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  world.timeline.record({ from: 'grader', to: 'order-service', label: `POST /orders/${orderId.slice(0, 8)}…/revise ${JSON.stringify(body)} → ${response.status}` });
  return { status: response.status, body: answer, location: response.headers.get('location'), retryAfter: response.headers.get('retry-after'), ms: 0 };
}

/** Revises an order's total, insisting on 202 and the saga's id. */
export async function acceptedRevision(world: CountermeasuresWorld, orderId: string, total: number): Promise<string> {
  const answer = await revise(world, orderId, { total });
  if (answer.status !== 202) throw new Error(`POST /orders/${orderId}/revise should start the Revise Order saga (202); it answered ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.sagaId as string;
}

/** An approved order of `total` for a new customer with `creditLimit`. */
export async function approvedOrder(world: CountermeasuresWorld, creditLimit: number, total: number): Promise<{ orderId: string; customerId: string }> {
  const customerId = await world.createCustomer(creditLimit);
  const { orderId, sagaId } = await world.acceptedOrder(customerId, total);
  const created = await world.ended(sagaId);
  if (created.state !== 'COMPLETED') throw new Error(`setting up: the order's Create Order saga should complete, it ended ${created.state}`);
  return { orderId, customerId };
}

export interface FuzzyRead {
  /** The order's total when both revisions read it, and what each asked for. */
  readTotal: number;
  firstTotal: number;
  secondTotal: number;
  /** Revise Order A, held between its read and its write. */
  first: Saga;
  /** Revise Order B, run to its end while A was held. */
  second: Saga;
  order: { total: number; version: number; state: OrderState };
  creditReserved: number;
}

/** Two revisions of one order: A reads 1 000 and asks 1 500; B reads 1 000 and asks 3 000 while A is held. */
export async function reviseWhileRevising(world: CountermeasuresWorld): Promise<FuzzyRead> {
  const [readTotal, firstTotal, secondTotal] = [1_000, 1_500, 3_000];
  const { orderId, customerId } = await approvedOrder(world, 10_000, readTotal);
  // `once`: the hold parks A and disarms, so B, the same saga on the same order, runs through the same point.
  const hold: Hold = { saga: 'revise-order-saga', before: 'revise order', orderId, once: true };
  await world.hold(hold);
  const first = await acceptedRevision(world, orderId, firstTotal);
  await world.heldBefore(first, 'revise order');
  world.timeline.note(`Revise Order A read a total of ${readTotal}, reserved credit for ${firstTotal}, and is held before "revise order"; B asks ${secondTotal} now`);
  const second = await world.ended(await acceptedRevision(world, orderId, secondTotal));
  await world.release(hold);
  const firstSaga = await world.ended(first);
  const order = await world.order(orderId);
  return {
    readTotal,
    firstTotal,
    secondTotal,
    first: firstSaga,
    second,
    order: { total: order.total, version: order.version, state: order.state },
    creditReserved: await world.creditReserved(customerId),
  };
}
