import { LabTodo } from '#shared/platform/todo.ts';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import { inTransaction, type Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { LongPoll, readWhenDecided } from '#shared/platform/long-poll/long-poll.ts';
import { money, uuid } from '#shared/platform/validation.ts';
import { appendToOutbox } from '#shared/platform/outbox/outbox.ts';
import { findOrder, insertOrder, updateOrder } from '../db/orders.ts';
import { cancelOrder, createOrder } from '../domain/order.ts';

/** Exported for the contract test: every order it accepts makes an event customer-service parses. */
export const CreateOrder = z.object({ customerId: uuid, total: money });
const OrderId = z.object({ id: uuid });

export function orderRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const input = parseInput(CreateOrder, req.body);
      // TODO(lab 03): start the saga. Create the order (createOrder) in APPROVAL_PENDING, store it and its
      // OrderCreated event in one transaction (appendToOutbox), and answer at once: 202, the order id and state,
      // and a Location header for the client to poll. See http://localhost:3000/labs/03-choreography and `npm run hint -- 03`.
      throw new LabTodo('03', 'POST /orders in labs/03-choreography/order-service/api/routes.ts');
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      // ?waitMs=N: answer once the saga decided the order, or after N ms (see shared/platform/long-poll).
      const { waitMs } = parseInput(LongPoll, req.query);
      const order = await readWhenDecided(pool, id, () => findOrder(pool, id), (o) => o?.state === 'APPROVAL_PENDING', waitMs);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });

    app.post('/orders/:id/cancel', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const result = await inTransaction(pool, async (tx) => {
        const order = await findOrder(tx, id, { forUpdate: true });
        if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
        const decision = cancelOrder(order, randomUUID());
        if (decision.kind === 'refuse') throw new HttpError(409, decision.reason, { field: 'id' });
        await updateOrder(tx, decision.order);
        await appendToOutbox(tx, decision.event);
        return decision.order;
      });
      res.json(result);
    });
  };
}
