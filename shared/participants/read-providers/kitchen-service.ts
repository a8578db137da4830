import path from 'node:path';
import type { Express } from 'express';
import type { Pool } from '../../platform/db.ts';
import { parseInput } from '../../platform/http.ts';
import { kitchenRoutes } from '../kitchen-service/api/routes.ts';
import { idList } from './batch.ts';
import { startReadProvider } from './read-provider.ts';

// kitchen-service's query API (lab 06): the ticket of one order, or of many orders in one request.
const OrderIds = idList('orderIds');

function ticketBatchRoute(pool: Pool) {
  return (app: Express) => {
    app.get('/tickets', async (req, res) => {
      const { orderIds } = parseInput(OrderIds, req.query);
      const { rows } = await pool.query<{ order_id: string; total: number; state: string }>('SELECT order_id, total, state FROM tickets WHERE order_id = ANY($1::uuid[])', [orderIds]);
      res.json({ tickets: rows.map((r) => ({ orderId: r.order_id, total: r.total, state: r.state })) });
    });
  };
}

await startReadProvider({
  name: 'kitchen-service',
  migrations: path.join(import.meta.dirname, '../kitchen-service/db/migrations'),
  routes: (pool) => (app) => {
    kitchenRoutes(pool)(app);
    ticketBatchRoute(pool)(app);
  },
});
