import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../../../platform/db.ts';
import { HttpError, parseInput } from '../../../platform/http.ts';
import { findAuthorization } from '../db/authorizations.ts';

const OrderId = z.object({ orderId: z.uuid() });

export function accountingRoutes(pool: Pool) {
  return (app: Express) => {
    app.get('/authorizations/:orderId', async (req, res) => {
      const { orderId } = parseInput(OrderId, req.params);
      const authorization = await findAuthorization(pool, orderId);
      if (!authorization) throw new HttpError(404, `no authorization for order ${orderId}`, { field: 'orderId' });
      res.json(authorization);
    });
  };
}
