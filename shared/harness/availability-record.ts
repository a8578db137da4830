import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './mutants.ts';

/** Availability of order creation measured by a lab's grader while customer-service flapped. */
export interface AvailabilityFigure {
  availability: number;
  uptime: number;
  attempts: number;
  target: string;
  at: string;
}

const file = path.join(REPO_ROOT, 'runs', 'availability.json');

/** Keeps each lab's latest figure in `runs/availability.json`, so a later lab can print them side by side. */
export function recordAvailability(lab: string, figure: Omit<AvailabilityFigure, 'at' | 'target'>): void {
  const all = readAvailability();
  all[lab] = { ...figure, target: process.env.KIT_TARGET ?? 'labs', at: new Date().toISOString() };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

export function readAvailability(): Record<string, AvailabilityFigure> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, AvailabilityFigure>;
  } catch {
    return {};
  }
}

export function describeAvailability(figure: AvailabilityFigure): string {
  return `${(figure.availability * 100).toFixed(0)} % of ${figure.attempts} attempts while customer-service was up ${(figure.uptime * 100).toFixed(0)} % of the time`;
}
