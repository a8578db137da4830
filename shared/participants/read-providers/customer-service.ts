import path from 'node:path';
import type { Express } from 'express';
import type { Pool } from '../../platform/db.ts';
import { parseInput } from '../../platform/http.ts';
import { customerRoutes } from '../customer-service/api/routes.ts';
import { idList } from './batch.ts';
import { startReadProvider } from './read-provider.ts';

// customer-service's query API (lab 06): one customer, or many by id in one request.
const Ids = idList('ids');

function customerBatchRoute(pool: Pool) {
  return (app: Express) => {
    app.get('/customers', async (req, res) => {
      const { ids } = parseInput(Ids, req.query);
      const { rows } = await pool.query<{ id: string; name: string; credit_limit: number; credit_reserved: number }>(
        'SELECT id, name, credit_limit, credit_reserved FROM customers WHERE id = ANY($1::uuid[])',
        [ids],
      );
      res.json({ customers: rows.map((r) => ({ id: r.id, name: r.name, creditLimit: r.credit_limit, creditReserved: r.credit_reserved })) });
    });
  };
}

await startReadProvider({
  name: 'customer-service',
  migrations: path.join(import.meta.dirname, '../customer-service/db/migrations'),
  routes: (pool) => (app) => {
    customerRoutes(pool)(app);
    customerBatchRoute(pool)(app);
  },
});
