import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../../../platform/db.ts';
import { HttpError, parseInput } from '../../../platform/http.ts';
import { findCustomer, insertCustomer } from '../db/credit.ts';

const CreateCustomer = z.object({ name: z.string().min(1).max(200), creditLimit: z.number().int().nonnegative() });
const CustomerId = z.object({ id: z.uuid() });

export function customerRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/customers', async (req, res) => {
      const input = parseInput(CreateCustomer, req.body);
      const id = randomUUID();
      await insertCustomer(pool, { id, ...input });
      res.status(201).location(`/customers/${id}`).json({ id, ...input, creditReserved: 0 });
    });

    app.get('/customers/:id', async (req, res) => {
      const { id } = parseInput(CustomerId, req.params);
      const customer = await findCustomer(pool, id);
      if (!customer) throw new HttpError(404, `customer ${id} does not exist`, { field: 'id' });
      res.json(customer);
    });
  };
}
