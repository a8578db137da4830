import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { customerSummary } from '../domain/projection.ts';
import { findCustomer, findOrder, ordersOf, readState, searchOrders } from '../db/view-store.ts';
import { armCrashAfter } from '../projector/crash-hook.ts';
import type { ViewProjection } from '../projector/view.ts';
import { caughtUpTo, WaitQuery } from './positions.ts';

const Id = z.object({ id: z.uuid() });
const Search = WaitQuery.extend({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(500).default(50) });
const CrashAfter = z.object({ entries: z.number().int().positive() });
const Rebuild = z.object({ pauseAfter: z.number().int().nonnegative().optional() }).default({});

/** An order as a client reads it (without the versions, which are the view's bookkeeping). */
function orderOut({ versions: _versions, ...order }: Awaited<ReturnType<typeof findOrder>> & object) {
  return order;
}

export function viewRoutes(pool: Pool, view: ViewProjection) {
  return (app: Express) => {
    /** A customer and its orders, with each order's state, total, ticket and payment status. */
    app.get('/customers/:id/orders', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const { after, waitMs } = parseInput(WaitQuery, req.query);
      const caughtUp = await caughtUpTo(pool, after, waitMs);
      const { active } = await readState(pool);
      const [customer, orders] = await Promise.all([findCustomer(pool, active, id), ordersOf(pool, active, id)]);
      if (!customer && orders.length === 0) throw new HttpError(404, `the view knows no customer ${id} (yet: it is eventually consistent)`, { field: 'id', caughtUp });
      res.json({ customer: customer ? customerSummary(customer) : null, orders: orders.map(orderOut), caughtUp });
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(Id, req.params);
      const { after, waitMs } = parseInput(WaitQuery, req.query);
      const caughtUp = await caughtUpTo(pool, after, waitMs);
      const order = await findOrder(pool, (await readState(pool)).active, id);
      if (!order) throw new HttpError(404, `the view knows no order ${id} (yet: it is eventually consistent)`, { field: 'id', caughtUp });
      res.json({ ...orderOut(order), caughtUp });
    });

    /** Full-text search over the orders' descriptions and their customers' names. */
    app.get('/orders', async (req, res) => {
      const { q, limit, after, waitMs } = parseInput(Search, req.query);
      const caughtUp = await caughtUpTo(pool, after, waitMs);
      const found = await searchOrders(pool, (await readState(pool)).active, q, limit);
      res.json({ orders: found.map(({ versions: _v, ...o }) => o), caughtUp });
    });

    app.post('/admin/rebuild', async (req, res) => {
      const { pauseAfter } = parseInput(Rebuild, req.body ?? {});
      const outcome = await view.rebuild(pauseAfter !== undefined ? { pauseAfter } : {});
      res.status(outcome.started ? 202 : 409).json(outcome.started ? outcome : { ...outcome, error: `a rebuild (generation ${outcome.generation}) is already running` });
    });

    app.post('/admin/rebuild/release', (_req, res) => {
      res.json({ released: view.release() });
    });

    // The grader's crash hook (see projector/crash-hook.ts).
    app.post('/admin/crash-after', (req, res) => {
      const { entries } = parseInput(CrashAfter, req.body);
      armCrashAfter(view.liveApplied, entries);
      res.json({ armed: entries });
    });

    app.get('/admin/status', async (_req, res) => {
      res.json(await view.status());
    });
  };
}
