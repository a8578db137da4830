import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';
import { REPO_ROOT } from '../harness/mutants.ts';

/** One check of a grader run and how it ended, in the order the checks finished. */
export interface CheckResult {
  title: string;
  /** The grader file, relative to the repository root. */
  file: string;
  state: 'passed' | 'failed' | 'skipped';
  ms?: number;
}

/**
 * Runs beside the grade reporter and keeps the list of every check, passing ones included: the grade report
 * only counts passes, and the course site's "Your progress" page shows each check of the last run.
 * Writes the list beside the grade reporter's file (KIT_REPORT_FILE), and prints nothing.
 */
export default class CheckListReporter implements Reporter {
  private checks: CheckResult[] = [];

  onTestRunStart(): void {
    this.checks = [];
  }

  onTestCaseResult(test: TestCase): void {
    const { state } = test.result();
    if (state === 'pending') return;
    this.checks.push({ title: test.name, file: path.relative(REPO_ROOT, test.module.moduleId), state, ms: roundMs(test.diagnostic()?.duration) });
  }

  onTestRunEnd(): void {
    const report = process.env.KIT_REPORT_FILE;
    if (report) writeFileSync(checksFileOf(report), JSON.stringify(this.checks, null, 2));
  }
}

/** Where the list goes: next to the grade report, which run-grader.ts already puts in a temporary folder. */
export function checksFileOf(reportFile: string): string {
  return `${reportFile}.checks.json`;
}

function roundMs(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms);
}
