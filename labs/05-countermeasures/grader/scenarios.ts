import { randomUUID } from 'node:crypto';
import { KITCHEN_REFUSES_CANCEL, type CountermeasuresWorld, type Hold, type OrderState, type Saga } from './world.ts';

/**
 * Each anomaly as a forced interleaving: a hold parks one saga at a named point, the other saga runs, the
 * hold is released. The scenarios only observe; the naive variant's file asserts the anomaly happened, the
 * countermeasures' file that it did not. The demo runs them too and prints both timelines.
 */

export interface LostUpdate {
  orderId: string;
  customerId: string;
  /** The answer to the cancel sent while Create Order was held before "approve order". */
  cancelWhilePending: { status: number; retryAfter: string | null; body: Record<string, unknown> };
  cancelSaga?: Saga;
  createSaga: Saga;
  order: OrderState;
  creditReserved: number;
  total: number;
  authorization: string | undefined;
}

/** Semantic lock. Create Order is held just before it approves the order; a cancel arrives meanwhile. */
export async function cancelWhileCreating(world: CountermeasuresWorld): Promise<LostUpdate> {
  const total = 1_000;
  const customerId = await world.createCustomer(10_000);
  const hold: Hold = { saga: 'create-order-saga', before: 'approve order', customerId };
  await world.hold(hold);
  const { orderId, sagaId } = await world.acceptedOrder(customerId, total);
  await world.heldBefore(sagaId, 'approve order');
  world.timeline.note('Create Order is held before "approve order"; the customer cancels now');
  const answer = await world.cancel(orderId);
  const cancelSaga = answer.status === 202 ? await world.ended(answer.body.sagaId as string) : undefined;
  await world.release(hold);
  const createSaga = await world.ended(sagaId);
  return {
    orderId,
    customerId,
    cancelWhilePending: { status: answer.status, retryAfter: answer.retryAfter, body: answer.body },
    ...(cancelSaga ? { cancelSaga } : {}),
    createSaga,
    order: (await world.order(orderId)).state,
    creditReserved: await world.creditReserved(customerId),
    total,
    authorization: await world.authorization(orderId),
  };
}

export interface DirtyRead {
  limit: number;
  /** Order A's credit while its Cancel Order saga is held before its pivot. */
  creditWhileCancelling: number;
  /** Order B, created meanwhile for the same customer. */
  orderB: OrderState;
  cancelSaga: Saga;
  orderA: OrderState;
  creditAfter: number;
}

/**
 * Pessimistic view. Order A's cancel is held before its pivot (the kitchen, which will refuse); order B of
 * the same customer is created meanwhile; then the kitchen refuses and the cancel is compensated.
 */
export async function spendWhileCancelling(world: CountermeasuresWorld): Promise<DirtyRead> {
  const limit = 1_000;
  const customerId = await world.createCustomer(limit);
  const a = await world.acceptedOrder(customerId, KITCHEN_REFUSES_CANCEL);
  const created = await world.ended(a.sagaId);
  if (created.state !== 'COMPLETED') throw new Error(`setting up: order A's Create Order saga should complete, it ended ${created.state}`);
  const hold: Hold = { saga: 'cancel-order-saga', before: 'cancel ticket', orderId: a.orderId };
  await world.hold(hold);
  const cancel = await world.cancel(a.orderId);
  if (cancel.status !== 202) throw new Error(`cancelling approved order A should start the Cancel Order saga (202); it answered ${cancel.status} ${JSON.stringify(cancel.body)}`);
  await world.heldBefore(cancel.body.sagaId as string, 'cancel ticket');
  const creditWhileCancelling = await world.creditReserved(customerId);
  world.timeline.note(`Cancel Order of A is held before "cancel ticket"; ${creditWhileCancelling} of ${limit} reserved; order B asks for 700`);
  const b = await world.acceptedOrder(customerId, 700);
  await world.ended(b.sagaId);
  await world.release(hold);
  const cancelSaga = await world.ended(cancel.body.sagaId as string);
  return {
    limit,
    creditWhileCancelling,
    orderB: (await world.order(b.orderId)).state,
    cancelSaga,
    orderA: (await world.order(a.orderId)).state,
    creditAfter: await world.creditReserved(customerId),
  };
}

export interface OutOfOrder {
  /** The reply to the AuthorizePayment that arrived after its order's CancelAuthorization. */
  lateAuthorizeReply: string;
  authorization: string | undefined;
}

/** Version file. accounting gets an order's CancelAuthorization first, then its AuthorizePayment. */
export async function cancelOvertakesAuthorize(world: CountermeasuresWorld): Promise<OutOfOrder> {
  const payment = { orderId: randomUUID(), customerId: randomUUID(), total: 500 };
  world.timeline.note('the grader sends CancelAuthorization, then the AuthorizePayment it overtook');
  await world.sendToAccounting('CancelAuthorization', payment);
  const lateAuthorizeReply = await world.sendToAccounting('AuthorizePayment', payment);
  return { lateAuthorizeReply, authorization: await world.authorization(payment.orderId) };
}
