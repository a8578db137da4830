import path from 'node:path';
import type { Express } from 'express';
import type { Pool } from '../../platform/db.ts';
import { parseInput } from '../../platform/http.ts';
import { accountingRoutes } from '../accounting-service/api/routes.ts';
import { idList } from './batch.ts';
import { startReadProvider } from './read-provider.ts';

// accounting-service's query API (lab 06): the payment authorization of one order, or of many in one request.
const OrderIds = idList('orderIds');

function authorizationBatchRoute(pool: Pool) {
  return (app: Express) => {
    app.get('/authorizations', async (req, res) => {
      const { orderIds } = parseInput(OrderIds, req.query);
      const { rows } = await pool.query<{ order_id: string; customer_id: string; total: number; state: string; reason: string | null }>(
        'SELECT order_id, customer_id, total, state, reason FROM authorizations WHERE order_id = ANY($1::uuid[])',
        [orderIds],
      );
      res.json({ authorizations: rows.map((r) => ({ orderId: r.order_id, customerId: r.customer_id, total: r.total, state: r.state, ...(r.reason ? { reason: r.reason } : {}) })) });
    });
  };
}

await startReadProvider({
  name: 'accounting-service',
  migrations: path.join(import.meta.dirname, '../accounting-service/db/migrations'),
  routes: (pool) => (app) => {
    accountingRoutes(pool)(app);
    authorizationBatchRoute(pool)(app);
  },
});
