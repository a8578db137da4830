import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { money, moneyOrZero, name, uuid } from '#shared/platform/validation.ts';
import { findCustomer, insertCustomer, reserveCredit } from '../db/customers.ts';

const CustomerId = z.object({ id: uuid });
const CreateCustomer = z.object({ name, creditLimit: moneyOrZero });
const CreateReservation = z.object({ orderId: uuid, amount: money });

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

    app.post('/customers/:id/credit-reservations', async (req, res) => {
      const { id } = parseInput(CustomerId, req.params);
      const { orderId, amount } = parseInput(CreateReservation, req.body);
      const outcome = await reserveCredit(pool, id, orderId, amount);
      switch (outcome.kind) {
        case 'reserve':
          res.status(201).json({ orderId, amount });
          return;
        case 'customer-not-found':
          throw new HttpError(404, `customer ${id} does not exist`, { field: 'id' });
        case 'limit-exceeded':
          throw new HttpError(422, `reserving ${amount} would exceed the credit limit of ${outcome.limit} (available: ${outcome.available})`, {
            field: 'amount',
            limit: outcome.limit,
            available: outcome.available,
          });
      }
    });
  };
}
