import type { Express, Response } from 'express';
import { z } from 'zod';
import { parseInput } from '#shared/platform/http.ts';
import { uuid } from '#shared/platform/validation.ts';
import { composeCustomerOrderDetails } from '../compose/customer-order-details.ts';
import { composeOrderDetails, type Composer } from '../compose/order-details.ts';
import type { Composed } from '../domain/details.ts';

const ById = z.object({ id: uuid });

/**
 * The composer's query API. Each request gets one deadline for all its calls: whatever the providers do, the
 * client has an answer (full, degraded, 404 or 503) by then.
 */
export function composerRoutes(composer: Composer, deadlineMs: number) {
  return (app: Express) => {
    app.get('/order-details/:id', async (req, res) => {
      // Validated before any call: a malformed id costs the providers nothing.
      const { id } = parseInput(ById, req.params);
      send(res, await composeOrderDetails(id, composer, AbortSignal.timeout(deadlineMs)));
    });

    app.get('/customers/:id/order-details', async (req, res) => {
      const { id } = parseInput(ById, req.params);
      send(res, await composeCustomerOrderDetails(id, composer, AbortSignal.timeout(deadlineMs)));
    });
  };
}

function send<Body>(res: Response, composed: Composed<Body>): void {
  switch (composed.kind) {
    case 'ok':
      res.json(composed.body);
      return;
    case 'not-found':
      res.status(404).json({ error: composed.error, field: composed.field });
      return;
    case 'unavailable':
      // Nothing the client did wrong, and worth asking again later: 503, never a 500.
      res.status(503).set('retry-after', '1').json({ error: composed.error, provider: composed.provider });
      return;
  }
}
