import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';

/** What the CLI remembers per lab, in `.kit/progress.json` (git-ignored: it is the learner's, not the kit's). */
export interface LabProgress {
  lastGradedAt?: string;
  passed?: boolean;
  passedAt?: string;
  hintsSeen?: number;
}

const file = () => process.env.KIT_PROGRESS_FILE ?? path.join(REPO_ROOT, '.kit', 'progress.json');

/** The folder of the learner's state files (`.kit/`, or where KIT_PROGRESS_FILE points). */
export function stateDir(): string {
  return path.dirname(file());
}

export function readProgress(): Record<string, LabProgress> {
  if (!existsSync(file())) return {};
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as Record<string, LabProgress>;
  } catch {
    return {};
  }
}

export function updateProgress(labId: string, change: (current: LabProgress) => LabProgress): LabProgress {
  const all = readProgress();
  const next = change(all[labId] ?? {});
  all[labId] = next;
  mkdirSync(path.dirname(file()), { recursive: true });
  writeFileSync(file(), `${JSON.stringify(all, null, 2)}\n`);
  return next;
}
