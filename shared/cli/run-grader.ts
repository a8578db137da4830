import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { GradeReport } from './grade-reporter.ts';
import type { Lab } from './manifest.ts';

export interface GraderRun {
  report: GradeReport;
  exitCode: number;
  ms: number;
}

/**
 * Runs one lab's grader (every test file under labs/<folder>/grader) in a fresh vitest process, against the
 * tree KIT_TARGET names, and returns what the grade reporter saw.
 */
export async function runGrader(lab: Lab, target: string, { quiet = false, watch = false } = {}): Promise<GraderRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kit-grade-'));
  const reportFile = path.join(dir, 'report.json');
  const started = Date.now();
  const args = [
    path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    ...(watch ? ['watch'] : ['run']),
    `labs/${lab.folder}/grader`,
    '--reporter',
    path.join(REPO_ROOT, 'shared', 'cli', 'grade-reporter.ts'),
    // The services run as child processes, outside vitest's module graph: rerun when any file of the lab changes.
    ...(watch ? ['--forceRerunTriggers', `labs/${lab.folder}/**`] : []),
  ];
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, KIT_TARGET: target, KIT_REPORT_FILE: reportFile, KIT_QUIET: quiet ? '1' : '0', FORCE_COLOR: '0' },
      stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      if (quiet && code !== 0 && code !== 1 && stderr) process.stderr.write(stderr);
      resolve(code ?? 1);
    });
  });
  let report: GradeReport;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport;
  } catch {
    report = { passed: 0, failed: 0, failures: [], errors: [`the grader did not run (vitest exited with ${exitCode})`], notes: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { report, exitCode, ms: Date.now() - started };
}

/** A grader run passes when at least one check ran, none failed and nothing broke outside the checks. */
export function passed(run: GraderRun): boolean {
  return run.exitCode === 0 && run.report.failed === 0 && run.report.errors.length === 0 && run.report.passed > 0;
}
