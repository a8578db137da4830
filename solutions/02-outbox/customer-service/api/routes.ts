import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { name, uuid } from '#shared/platform/validation.ts';
import { findCustomer, insertCustomer } from '../db/customers.ts';

const CreateCustomer = z.object({ name });
const CustomerId = z.object({ id: uuid });

export function customerRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/customers', async (req, res) => {
      const { name } = parseInput(CreateCustomer, req.body);
      const id = randomUUID();
      await insertCustomer(pool, { id, name });
      res.status(201).location(`/customers/${id}`).json({ id, name, creditReserved: 0, ordersSeen: 0 });
    });

    app.get('/customers/:id', async (req, res) => {
      const { id } = parseInput(CustomerId, req.params);
      const customer = await findCustomer(pool, id);
      if (!customer) throw new HttpError(404, `customer ${id} does not exist`, { field: 'id' });
      res.json(customer);
    });
  };
}
