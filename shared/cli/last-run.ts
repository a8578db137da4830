import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { GradeReport } from './grade-reporter.ts';
import { stateDir } from './progress.ts';
import { passed, type GraderRun } from './run-grader.ts';

/** One check of a grader run and how it ended, in the order the checks finished. */
export interface CheckResult {
  title: string;
  /** The grader file, relative to the repository root. */
  file: string;
  state: 'passed' | 'failed' | 'skipped';
  ms?: number;
}

/** A check of the last run as the course site shows it: how it ended and, when it failed, why and what crossed the wire. */
export interface CheckOutcome extends CheckResult {
  message?: string;
  /** The run's sequence diagram, copied from runs/ when the grade ran: a later run (or `verify`) may overwrite that file. */
  timeline?: { file: string; mermaid?: string };
}

/**
 * The learner's last graded run of one lab, in `.kit/last-run/<lab>.json` (git-ignored). The course site's
 * "Your progress" page and the "Grade it" section of each lab page read it; nothing else does.
 */
export interface LastRun {
  lab: string;
  at: string;
  verdict: 'pass' | 'not yet';
  ms: number;
  passed: number;
  failed: number;
  checks: CheckOutcome[];
  /** Problems outside any check (a file that does not load, a hook that threw). */
  errors: string[];
  /** Figures the grader printed (`lab NN: ...`). */
  notes: string[];
}

export function lastRunFile(labId: string): string {
  return path.join(stateDir(), 'last-run', `${labId}.json`);
}

/** Writes the lab's last run where the site looks for it; the rename means a watcher never reads half a file. */
export function recordLastRun(labId: string, run: GraderRun, at = new Date()): LastRun {
  const lastRun = lastRunOf(labId, run, at, readMermaid);
  const file = lastRunFile(labId);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(lastRun, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return lastRun;
}

/** Joins the list of checks with the report's failures (message, timeline). Pure: the timeline reader is passed in. */
export function lastRunOf(labId: string, run: GraderRun, at: Date, readTimeline: (file: string) => string | undefined): LastRun {
  const failures = [...run.report.failures];
  const takeFailure = (check: CheckResult) => {
    const index = failures.findIndex((f) => f.title === check.title && relative(f.file) === check.file);
    return index < 0 ? undefined : failures.splice(index, 1)[0];
  };
  const outcome = (check: CheckResult, failure?: GradeReport['failures'][number]): CheckOutcome => {
    if (!failure) return check;
    const timeline = failure.timeline ? { file: relative(failure.timeline), mermaid: readTimeline(failure.timeline) } : undefined;
    return { ...check, message: failure.message, ...(timeline ? { timeline } : {}) };
  };
  // The grade reporter lists every check (the JSON grade output reads the same list); paths become relative.
  const listed: CheckResult[] = run.report.checks.map((c) => ({ title: c.title, file: relative(c.file), state: c.passed ? 'passed' : 'failed', ms: c.ms }));
  const checks = listed.map((check) => outcome(check, check.state === 'failed' ? takeFailure(check) : undefined));
  // A failure the check list missed (its reporter did not finish) is still shown.
  for (const failure of [...failures]) checks.push(outcome({ title: failure.title, file: relative(failure.file), state: 'failed' }, failure));
  return {
    lab: labId,
    at: at.toISOString(),
    verdict: passed(run) ? 'pass' : 'not yet',
    ms: run.ms,
    passed: run.report.passed,
    failed: run.report.failed,
    checks,
    errors: run.report.errors,
    notes: run.report.notes,
  };
}

/** The mermaid block of a runs/*.md file the failure timeline wrote. */
function readMermaid(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return /```mermaid\n([\s\S]*?)\n```/.exec(readFileSync(file, 'utf8'))?.[1];
}

function relative(file: string): string {
  return path.isAbsolute(file) ? path.relative(REPO_ROOT, file) : file;
}
