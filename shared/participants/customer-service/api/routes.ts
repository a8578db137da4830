import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../../../platform/db.ts';
import { HttpError, parseInput } from '../../../platform/http.ts';
import { findCustomer } from '../db/credit.ts';
import { changeCreditLimit, createCustomer } from '../db/profile.ts';

const CreateCustomer = z.object({ name: z.string().min(1).max(200), creditLimit: z.number().int().nonnegative() });
const CustomerId = z.object({ id: z.uuid() });
const CreditLimit = z.object({ creditLimit: z.number().int().nonnegative() });

export function customerRoutes(pool: Pool) {
  return (app: Express) => {
    app.post('/customers', async (req, res) => {
      const input = parseInput(CreateCustomer, req.body);
      const id = randomUUID();
      const { version } = await createCustomer(pool, { id, ...input });
      // `position`: pass it to a view's query (lab 07) to read this write there.
      res.status(201).location(`/customers/${id}`).json({ id, ...input, creditReserved: 0, version, position: `customer:${id}@${version}` });
    });

    app.put('/customers/:id/credit-limit', async (req, res) => {
      const { id } = parseInput(CustomerId, req.params);
      const { creditLimit } = parseInput(CreditLimit, req.body);
      const changed = await changeCreditLimit(pool, id, creditLimit);
      if (!changed) throw new HttpError(404, `customer ${id} does not exist`, { field: 'id' });
      res.json({ id, creditLimit, version: changed.version, position: `customer:${id}@${changed.version}` });
    });

    app.get('/customers/:id', async (req, res) => {
      const { id } = parseInput(CustomerId, req.params);
      const customer = await findCustomer(pool, id);
      if (!customer) throw new HttpError(404, `customer ${id} does not exist`, { field: 'id' });
      res.json(customer);
    });
  };
}
