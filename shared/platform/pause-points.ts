import type { Express } from 'express';
import { z } from 'zod';
import { HttpError, parseInput } from './http.ts';

/**
 * Pause points for graders and demos (lab 05 on). Two sagas only show an anomaly when one acts between two
 * moves of the other, and waiting for that to happen by luck makes a test that passes nine times out of ten.
 * A pause point is a named place in a service's code; a test arms it (for one order, one customer, or every
 * run), every run that reaches it stops there (or only the first, when armed `once`), and a release lets them
 * go on. No sleeps, no timing: the interleaving is forced.
 *
 * Two kinds of run stop at one: a saga before a named step (saga/holds.ts parks it in its database, and the
 * sweeper resumes it), and a handler in the middle of its work, which waits in this process (`pause`), its
 * transaction open, until released: customer-service between reading a customer's credit and writing it.
 */

/** Which runs an armed pause stops: those of one order, of one customer, or (both unset) every one. */
export interface Scope {
  orderId?: string;
  customerId?: string;
}

/** The test hooks exist only in runs started with SAGA_TEST_HOOKS=1, which only graders and demos set. */
export function testHooksEnabled(): boolean {
  return process.env.SAGA_TEST_HOOKS === '1';
}

/** The scope as a request body gives it: ids checked, so a typo answers 400 instead of matching nothing. */
export const ScopeInput = z.object({ orderId: z.uuid().optional(), customerId: z.uuid().optional() });

const sameScope = (a: Scope, b: Scope) => a.orderId === b.orderId && a.customerId === b.customerId;

function inScope(scope: Scope, data: unknown): boolean {
  const d = (data ?? {}) as Scope;
  return (!scope.orderId || scope.orderId === d.orderId) && (!scope.customerId || scope.customerId === d.customerId);
}

export interface ArmOptions {
  /**
   * Stop only the first run that matches, then disarm: two runs about one order (two revisions of it) pass
   * the same point, and a test stops the first while the second goes through.
   */
  once?: boolean;
}

/** The pause points of one process. */
export class PausePoints {
  private readonly armed: Array<{ point: string; scope: Scope; once: boolean }> = [];
  private readonly parked: Array<{ point: string; data: Scope; resume: () => void }> = [];

  arm(point: string, scope: Scope, options: ArmOptions = {}): void {
    const only = { ...(scope.orderId ? { orderId: scope.orderId } : {}), ...(scope.customerId ? { customerId: scope.customerId } : {}) };
    this.armed.push({ point, scope: only, once: options.once === true });
  }

  /** True if an armed pause stops, at `point`, a run about `data` (its `orderId` and `customerId` are read). */
  stops(point: string, data: unknown): boolean {
    return this.armed.some((a) => a.point === point && inScope(a.scope, data));
  }

  /**
   * A run about `data` reaches `point`: true if an armed pause stops it. A pause armed `once` is spent by the
   * run it stops, so the next run goes on.
   */
  take(point: string, data: unknown): boolean {
    const i = this.armed.findIndex((a) => a.point === point && inScope(a.scope, data));
    if (i < 0) return false;
    if (this.armed[i]!.once) this.armed.splice(i, 1);
    return true;
  }

  /** Waits here while an armed pause stops this run; returns at once when none does. */
  async pause(point: string, data: { orderId?: string; customerId?: string }): Promise<void> {
    if (!this.take(point, data)) return;
    await new Promise<void>((resume) => this.parked.push({ point, data: { orderId: data.orderId, customerId: data.customerId }, resume }));
  }

  /** The runs waiting in `pause` now. */
  waiting(): Array<{ point: string } & Scope> {
    return this.parked.map((p) => ({ point: p.point, ...p.data }));
  }

  /**
   * Disarms the pauses armed at `point` with exactly this scope, and resumes the runs waiting there that the
   * scope covers; returns how many it resumed.
   */
  release(point: string, scope: Scope): number {
    for (let i = this.armed.length - 1; i >= 0; i--) if (this.armed[i]!.point === point && sameScope(this.armed[i]!.scope, scope)) this.armed.splice(i, 1);
    const resumed = this.parked.filter((p) => p.point === point && inScope(scope, p.data));
    for (const p of resumed) this.parked.splice(this.parked.indexOf(p), 1);
    for (const p of resumed) p.resume();
    return resumed.length;
  }
}

const PauseInput = ScopeInput.extend({ at: z.string().min(1), once: z.boolean().optional() });

/**
 * A participant's pause points over HTTP: `POST /admin/pauses` arms one (`{ at, orderId?, customerId?, once? }`),
 * `GET /admin/pauses` lists the runs waiting, `POST /admin/pauses/release` (same body) releases. Mounted only
 * with SAGA_TEST_HOOKS=1: in any other run, 404.
 */
export function pauseRoutes(points: PausePoints, known: readonly string[]) {
  const parse = (body: unknown) => {
    const { at, once, ...scope } = parseInput(PauseInput, body);
    if (!known.includes(at)) throw new HttpError(400, `invalid at: one of ${known.join(', ')}`, { field: 'at' });
    return { at, scope, once: once === true };
  };
  return (app: Express) => {
    if (!testHooksEnabled()) return;
    app.post('/admin/pauses', (req, res) => {
      const { at, scope, once } = parse(req.body);
      points.arm(at, scope, { once });
      res.status(201).json({ armed: { at, ...scope, ...(once ? { once } : {}) } });
    });
    app.get('/admin/pauses', (_req, res) => {
      res.json({ waiting: points.waiting() });
    });
    app.post('/admin/pauses/release', (req, res) => {
      const { at, scope } = parse(req.body);
      res.json({ released: points.release(at, scope) });
    });
  };
}
