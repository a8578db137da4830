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
      // #region create-order
      const { order, event } = createOrder({ orderId: randomUUID(), eventId: randomUUID() }, input);
      await inTransaction(pool, async (tx) => {
        await insertOrder(tx, order);
        await appendToOutbox(tx, event);
      });
      // 202, not 201: the order is accepted but not decided. The client follows Location and polls; nothing
      // here waits for customer-service, so creating an order works even while it is down.
      res.status(202).location(`/orders/${order.id}`).json({ id: order.id, state: order.state });
      // #endregion create-order
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
