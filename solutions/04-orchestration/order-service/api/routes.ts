import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { LongPoll, readWhenDecided } from '#shared/platform/long-poll/long-poll.ts';
import { loadSaga, readHistory } from '#shared/platform/saga/store.ts';
import { findOrder } from '../db/orders.ts';
import { armCrashAfterReply } from '../saga/crash-hook.ts';
import { createOrderSaga } from '../saga/definition.ts';
import { startCreateOrderSaga } from '../saga/orchestrator.ts';

const CreateOrder = z.object({ customerId: z.uuid(), total: z.number().int().positive() });
const Id = z.object({ id: z.uuid() });
const CrashAfter = z.object({ step: z.number().int().min(1).max(createOrderSaga.steps.length) });

export function orderRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const input = parseInput(CreateOrder, req.body);
      const orderId = randomUUID();
      const sagaId = await startCreateOrderSaga(pool, { orderId, ...input });
      // 202 as in lab 03: accepted, decided later by the saga. The client polls Location.
      res.status(202).location(`/orders/${orderId}`).json({ id: orderId, state: 'APPROVAL_PENDING', sagaId });
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      // ?waitMs=N: answer once the saga decided the order, or after N ms (see shared/platform/long-poll).
      const { waitMs } = parseInput(LongPoll, req.query);
      const order = await readWhenDecided(pool, id, () => findOrder(pool, id), (o) => o?.state === 'APPROVAL_PENDING', waitMs);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });

    /** The saga as the orchestrator sees it: state, current step, and its history. */
    app.get('/sagas/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const saga = await loadSaga(pool, id);
      if (!saga) throw new HttpError(404, `saga ${id} does not exist`, { field: 'id' });
      const step = createOrderSaga.steps[saga.step];
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

    // The grader's crash hook (see saga/crash-hook.ts).
    app.post('/admin/crash-after-reply', (req, res) => {
      const { step } = parseInput(CrashAfter, req.body);
      armCrashAfterReply(step);
      res.json({ armed: step });
    });
  };
}
