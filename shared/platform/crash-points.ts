import type { Express } from 'express';
import { z } from 'zod';
import { parseInput } from './http.ts';

/**
 * Named points in a service's work where a grader may have it die: `POST /admin/crash { at, after }` arms
 * one, and the process SIGKILLs itself the `after`-th time (1: the next time) it reaches that point. A kill at
 * a chosen moment (after RabbitMQ confirmed, before the checkpoint moved) instead of a random one, so a
 * chaos check fails every time on code that loses a message there, not one run in ten. Nothing arms a
 * point outside a grader, and SIGKILL runs no shutdown hook, exactly like a crash.
 */
export interface CrashPoints {
  /** Call at the point; dies here if armed and due. */
  reached(point: string): void;
  /** Mounts `POST /admin/crash` (arm) and `GET /admin/crash` (what is armed). */
  mount(app: Express): void;
}

export function crashPoints(names: readonly string[]): CrashPoints {
  const armed = new Map<string, number>();
  const Arm = z.object({ at: z.enum(names as [string, ...string[]]), after: z.number().int().min(1).max(1_000_000).default(1) });
  return {
    reached(point) {
      const left = armed.get(point);
      if (left === undefined) return;
      if (left > 1) armed.set(point, left - 1);
      else process.kill(process.pid, 'SIGKILL');
    },
    mount(app) {
      app.post('/admin/crash', (req, res) => {
        const { at, after } = parseInput(Arm, req.body);
        armed.set(at, after);
        res.json({ armed: Object.fromEntries(armed) });
      });
      app.get('/admin/crash', (_req, res) => void res.json({ armed: Object.fromEntries(armed) }));
    },
  };
}
