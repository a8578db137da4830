import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../../../platform/db.ts';
import { HttpError, parseInput } from '../../../platform/http.ts';
import { findTicket } from '../db/tickets.ts';

const OrderId = z.object({ orderId: z.uuid() });

export function kitchenRoutes(pool: Pool) {
  return (app: Express) => {
    app.get('/tickets/:orderId', async (req, res) => {
      const { orderId } = parseInput(OrderId, req.params);
      const ticket = await findTicket(pool, orderId);
      if (!ticket) throw new HttpError(404, `no ticket for order ${orderId}`, { field: 'orderId' });
      res.json(ticket);
    });
  };
}
