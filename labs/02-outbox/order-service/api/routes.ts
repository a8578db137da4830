import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { money, uuid } from '#shared/platform/validation.ts';
import { findOrder, saveCancelledOrder, saveNewOrder } from '../db/orders.ts';
import { cancelOrder, createOrder } from '../domain/order.ts';

/** Exported for the contract test: every order it accepts makes an event customer-service parses. */
export const CreateOrder = z.object({ customerId: uuid, total: money });
const OrderId = z.object({ id: uuid });

// order-service has no connection to RabbitMQ at all: a request can only write to its own database.
// Publishing is the relay's job, after the commit.
export function orderRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const input = parseInput(CreateOrder, req.body);
      const { order, event } = createOrder({ orderId: randomUUID(), eventId: randomUUID() }, input);
      await saveNewOrder(pool, order, event);
      res.status(201).location(`/orders/${order.id}`).json(order);
    });

    app.post('/orders/:id/cancel', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const order = await findOrder(pool, id);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      const decision = cancelOrder(order, randomUUID());
      if (decision.kind === 'already-cancelled') throw new HttpError(409, `order ${id} is already cancelled`, { field: 'id' });
      await saveCancelledOrder(pool, decision.order, decision.event);
      res.json(decision.order);
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const order = await findOrder(pool, id);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });
  };
}
