import type { Express } from 'express';
import { z } from 'zod';
import type { Pool } from '../db.ts';
import { HttpError, parseInput } from '../http.ts';
import { PausePoints, ScopeInput, testHooksEnabled } from '../pause-points.ts';
import type { SagaDefinition } from './dsl.ts';

/**
 * Holds: the pause points of an orchestrator (lab 05 on, see ../pause-points.ts). A hold parks every saga it
 * matches just before a named step; a release lets them go on.
 *
 * A held saga is saved as a retry with no due time (advance.ts), so the sweeper leaves it alone; releasing
 * gives it a due time of now, and the sweeper runs the step. A held saga is never timed out.
 */
export interface Hold {
  /** The saga's type: `cancel-order-saga`. */
  saga: string;
  /** The name of the step to stop before: `cancel ticket`. */
  before: string;
  /** Only the saga of this order, or of this customer's orders; both unset: every saga of the type. */
  orderId?: string;
  customerId?: string;
  /**
   * Park only the first saga that matches, then disarm: two sagas of one type on one order (two revisions)
   * pass the same point, and a test holds the first while the second runs through.
   */
  once?: boolean;
}

// One pause point per saga type and step; the scope (order, customer) is the hold's.
const holds = new PausePoints();
const pointOf = (saga: string, step: string) => `${saga}: before ${step}`;

/** Arms a hold in this process (the routes below call it). */
export function armHold(hold: Hold): void {
  holds.arm(pointOf(hold.saga, hold.before), hold, { once: hold.once });
}

/** For AdvanceSettings.holdBefore: asked once per saga reaching the step, so a hold armed `once` is spent here. */
export function holdBefore(saga: string, step: string, data: unknown): boolean {
  return holds.take(pointOf(saga, step), data);
}

/** Disarms the hold and lets every saga it parked go on; returns how many. */
export async function releaseHold(pool: Pool, hold: Hold, stepIndex: number): Promise<number> {
  // A held saga waits in the database, not in this process: disarming is all the registry does here.
  holds.release(pointOf(hold.saga, hold.before), hold);
  const { rowCount } = await pool.query(
    `UPDATE saga_instances SET due_at = now()
      WHERE type = $1 AND current_step = $2 AND waiting_for = 'retry' AND due_at IS NULL AND state = 'RUNNING'
        AND ($3::text IS NULL OR data->>'orderId' = $3) AND ($4::text IS NULL OR data->>'customerId' = $4)`,
    [hold.saga, stepIndex, hold.orderId ?? null, hold.customerId ?? null],
  );
  return rowCount ?? 0;
}

const HoldInput = ScopeInput.extend({ saga: z.string().min(1), before: z.string().min(1), once: z.boolean().optional() });

/**
 * `POST /admin/holds` arms a hold, `POST /admin/holds/release` releases it (same body). Mounted only when the
 * service runs with SAGA_TEST_HOOKS=1, which only the graders and demos set: in any other run, 404.
 */
export function holdRoutes<Data>(pool: Pool, sagas: ReadonlyArray<SagaDefinition<Data>>) {
  const parse = (body: unknown): { hold: Hold; stepIndex: number } => {
    const { orderId, customerId, once, ...rest } = parseInput(HoldInput, body);
    const definition = sagas.find((s) => s.name === rest.saga);
    if (!definition) throw new HttpError(400, `invalid saga: one of ${sagas.map((s) => s.name).join(', ')}`, { field: 'saga' });
    const stepIndex = definition.steps.findIndex((s) => s.name === rest.before);
    if (stepIndex < 0) throw new HttpError(400, `invalid before: a step of ${rest.saga} (${definition.steps.map((s) => s.name).join(', ')})`, { field: 'before' });
    return { hold: { ...rest, ...(orderId ? { orderId } : {}), ...(customerId ? { customerId } : {}), ...(once ? { once } : {}) }, stepIndex };
  };
  return (app: Express) => {
    if (!testHooksEnabled()) return;
    app.post('/admin/holds', (req, res) => {
      const { hold } = parse(req.body);
      armHold(hold);
      res.status(201).json({ armed: hold });
    });
    app.post('/admin/holds/release', async (req, res) => {
      const { hold, stepIndex } = parse(req.body);
      res.json({ released: await releaseHold(pool, hold, stepIndex) });
    });
  };
}
