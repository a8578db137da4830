import { eventually } from '#shared/harness/eventually.ts';
import { acceptedRevision, approvedOrder } from './reread-value.ts';
import type { CountermeasuresWorld, Hold, OrderState, Saga } from './world.ts';

/**
 * Commutative updates, forced. customer-service has a pause point between reading a customer's credit and
 * writing the change (`credit write`, shared/participants/customer-service/db/credit-access.ts): the grader
 * parks one order's credit command there, lets another saga change the same customer's credit, then lets
 * the parked command write. A write computed from its read now overwrites the other saga's change.
 */

const CREDIT_WRITE = 'credit write';

async function pauseCreditWrite(world: CountermeasuresWorld, orderId: string): Promise<void> {
  const answer = await world.world.call('customer-service', 'POST', '/admin/pauses', { at: CREDIT_WRITE, orderId });
  if (answer.status !== 201) throw new Error(`arming customer-service's pause point failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  world.timeline.note(`grader: pause customer-service's credit command of order ${orderId.slice(0, 8)}… between its read and its write`);
}

/** Waits until the order's credit command has read the customer's credit and waits before writing. */
async function parkedBeforeWrite(world: CountermeasuresWorld, orderId: string): Promise<void> {
  await eventually(
    async () => {
      const { body } = await world.world.call('customer-service', 'GET', '/admin/pauses');
      return (body.waiting as Array<{ orderId?: string }>).some((w) => w.orderId === orderId);
    },
    { timeoutMs: 15_000, intervalMs: 50, description: `the credit command of order ${orderId} to wait at customer-service's pause point "${CREDIT_WRITE}"` },
  );
}

async function releaseCreditWrite(world: CountermeasuresWorld, orderId: string): Promise<void> {
  const answer = await world.world.call('customer-service', 'POST', '/admin/pauses/release', { at: CREDIT_WRITE, orderId });
  if (answer.status !== 200 || answer.body.released !== 1) throw new Error(`releasing customer-service's pause point should let one command go: ${answer.status} ${JSON.stringify(answer.body)}`);
  world.timeline.note(`grader: release the credit command of order ${orderId.slice(0, 8)}…, which writes now`);
}

/**
 * Waits until order B's reservation is committed, not for its whole saga: the parked command's step has a
 * reply deadline, so it is let go as soon as the other saga's change is in.
 */
async function reserved(world: CountermeasuresWorld, sagaId: string): Promise<void> {
  await world.sagaUntil(sagaId, (s) => s.history.some((h) => h.kind === 'reply' && h.messageType === 'CreditReserved'), `order B's saga to have its credit reserved`);
}

async function stateOf(world: CountermeasuresWorld, orderId: string): Promise<OrderState> {
  return (await world.order(orderId)).state;
}

export interface CreditRace {
  limit: number;
  /** Order A, whose reservation read the credit and was parked before its write. */
  orderA: OrderState;
  sagaA: Saga;
  /** Order B, reserved and decided meanwhile. */
  orderB: OrderState;
  amount: number;
  creditReserved: number;
}

/**
 * Two reservations race for the last credit. Order A's ReserveCredit reads the customer's credit (none
 * reserved) and is parked; order B reserves 600 of 1 000 (and is approved); A then writes its 600. Only one
 * of them fits: the other must be refused, and whatever is reserved must be the approved orders' sum.
 */
export async function reservationsRace(world: CountermeasuresWorld): Promise<CreditRace> {
  const limit = 1_000;
  const amount = 600;
  const customerId = await world.createCustomer(limit);
  // A's order id is known only once it is created: hold its saga before the reservation to arm the pause.
  const hold: Hold = { saga: 'create-order-saga', before: 'reserve credit', customerId };
  await world.hold(hold);
  const a = await world.acceptedOrder(customerId, amount);
  await world.heldBefore(a.sagaId, 'reserve credit');
  await pauseCreditWrite(world, a.orderId);
  await world.release(hold);
  await parkedBeforeWrite(world, a.orderId);
  world.timeline.note(`order A's ReserveCredit read the credit (0 of ${limit} reserved) and waits; order B asks for ${amount}`);
  const b = await world.acceptedOrder(customerId, amount);
  await reserved(world, b.sagaId);
  await releaseCreditWrite(world, a.orderId);
  const sagaA = await world.ended(a.sagaId);
  await world.ended(b.sagaId);
  return { limit, orderA: await stateOf(world, a.orderId), sagaA, orderB: await stateOf(world, b.orderId), amount, creditReserved: await world.creditReserved(customerId) };
}

export interface CompensationRace {
  /** Order A, approved, then cancelled: its ReleaseCredit read the credit and was parked before its write. */
  orderA: OrderState;
  cancelSaga: Saga;
  /** Order B, created while A's release was parked. */
  orderB: OrderState;
  totalB: number;
  creditReserved: number;
}

/**
 * A compensation against a new debit. Order A (300) is approved and cancelled; its ReleaseCredit reads the
 * credit (300 reserved) and is parked; order B reserves 400 and is approved; A's release then writes. The
 * release must give back A's 300 from whatever is reserved then, leaving B's 400.
 */
export async function reserveWhileReleasing(world: CountermeasuresWorld): Promise<CompensationRace> {
  const customerId = await world.createCustomer(1_000);
  const a = await world.acceptedOrder(customerId, 300);
  const created = await world.ended(a.sagaId);
  if (created.state !== 'COMPLETED') throw new Error(`setting up: order A's Create Order saga should complete, it ended ${created.state}`);
  await pauseCreditWrite(world, a.orderId);
  const cancel = await world.cancel(a.orderId);
  if (cancel.status !== 202) throw new Error(`cancelling approved order A should start the Cancel Order saga (202); it answered ${cancel.status} ${JSON.stringify(cancel.body)}`);
  await parkedBeforeWrite(world, a.orderId);
  const totalB = 400;
  world.timeline.note(`order A's ReleaseCredit read the credit (300 reserved) and waits; order B asks for ${totalB}`);
  const b = await world.acceptedOrder(customerId, totalB);
  await reserved(world, b.sagaId);
  await releaseCreditWrite(world, a.orderId);
  const cancelSaga = await world.ended(cancel.body.sagaId as string);
  await world.ended(b.sagaId);
  return { orderA: await stateOf(world, a.orderId), cancelSaga, orderB: await stateOf(world, b.orderId), totalB, creditReserved: await world.creditReserved(customerId) };
}

export interface RevisionRace {
  /** Order A's Revise Order saga, whose ReviseCredit read the credit and was parked before its write. */
  revision: Saga;
  revisedTotal: number;
  /** Order B, created while A's revision was parked. */
  orderB: OrderState;
  totalB: number;
  creditReserved: number;
}

/**
 * A revision is a credit change like the others. Order A (1 000) is approved; Revise Order raises it to
 * 1 500, and its ReviseCredit (500 more) reads the credit (1 000 reserved) and is parked; order B reserves
 * 400 and is approved; A's revision then writes. Both must count: 1 900 reserved.
 */
export async function reviseWhileReserving(world: CountermeasuresWorld): Promise<RevisionRace> {
  const [totalA, revisedTotal, totalB] = [1_000, 1_500, 400];
  const { orderId, customerId } = await approvedOrder(world, 10_000, totalA);
  await pauseCreditWrite(world, orderId);
  const revision = await acceptedRevision(world, orderId, revisedTotal);
  await parkedBeforeWrite(world, orderId);
  world.timeline.note(`order A's ReviseCredit (${revisedTotal - totalA} more) read the credit (${totalA} reserved) and waits; order B asks for ${totalB}`);
  const b = await world.acceptedOrder(customerId, totalB);
  await reserved(world, b.sagaId);
  await releaseCreditWrite(world, orderId);
  const revisionSaga = await world.ended(revision);
  await world.ended(b.sagaId);
  return { revision: revisionSaga, revisedTotal, orderB: await stateOf(world, b.orderId), totalB, creditReserved: await world.creditReserved(customerId) };
}
