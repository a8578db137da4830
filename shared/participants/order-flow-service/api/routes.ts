import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../../../platform/db.ts';
import { HttpError, parseInput } from '../../../platform/http.ts';
import { findOrder, placeOrder } from '../db/flow.ts';

const PlaceOrder = z.object({ customerId: z.uuid(), total: z.number().int().positive(), description: z.string().min(1).max(200) });
const Id = z.object({ id: z.uuid() });

export function flowRoutes(pool: Pool, declines: (total: number) => boolean) {
  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const input = parseInput(PlaceOrder, req.body);
      const id = randomUUID();
      await placeOrder(pool, { id, ...input, declined: declines(input.total) });
      // `position`: the order at version 1 (created). A view's query given it waits until it shows the order.
      res.status(201).location(`/orders/${id}`).json({ id, ...input, version: 1, position: `order:${id}@1` });
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const order = await findOrder(pool, id);
      if (!order) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json(order);
    });
  };
}
