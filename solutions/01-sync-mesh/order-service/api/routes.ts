import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { money, uuid } from '#shared/platform/validation.ts';
import { findOrder, insertOrder } from '../db/orders.ts';
import { decideOrder } from '../domain/order.ts';
import type { CustomerClient } from './customer-client.ts';

const CreateOrder = z.object({ customerId: uuid, total: money });
const OrderId = z.object({ id: uuid });

export function orderRoutes(pool: Pool, customers: CustomerClient) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const { customerId, total } = parseInput(CreateOrder, req.body);
      const id = randomUUID();
      // Two writes in two databases with no transaction around them: credit is reserved remotely first, the
      // order is inserted locally second. A crash between the two leaves credit held for an order that does
      // not exist. Lab 01's grader shows it; labs 02 to 04 remove it.
      const credit = await customers.reserveCredit({ customerId, orderId: id, amount: total });
      const decision = decideOrder({ id, customerId, total }, credit);
      if (decision.kind === 'refuse') throw new HttpError(decision.status, decision.message, decision.details);
      await insertOrder(pool, decision.order);
      res.status(201).location(`/orders/${id}`).json(decision.order);
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const order = await findOrder(pool, id);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });
  };
}
