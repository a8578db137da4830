import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import { couldNotRunReason, type CouldNotRun } from './could-not-run.ts';
import type { GradeReport } from './grade-reporter.ts';
import type { Lab } from './manifest.ts';
import { preflight, type PreflightProbes } from './preflight.ts';

export interface GraderRun {
  report: GradeReport;
  exitCode: number;
  ms: number;
  /** Set when no check ran at all: the grader could not run, which is neither a pass nor "0 of 0 fail". */
  couldNotRun?: CouldNotRun;
}

export interface RunOptions {
  /** Print nothing (verify reads the report instead). */
  quiet?: boolean;
  /** Where the checks' lines go when not quiet: stderr when stdout carries a machine-readable result (--json). */
  echoTo?: 'stdout' | 'stderr';
  /** Aborting it stops the run (watch mode, when the learner presses Ctrl-C). */
  signal?: AbortSignal;
  probes?: PreflightProbes;
  /** Skip the checks not started yet once one failed (verify's run of the starter: it only has to fail). */
  bail?: boolean;
  /** The grader's files in the order to start them (verify: quickest first; see shared/harness/file-order.ts). */
  fileOrder?: string[];
  /**
   * Run only these of the grader's test files (paths from the repository's root), not the whole folder:
   * verify's runs of the starter and the mutants leave out the files that never run the tree under test
   * (see target-files.ts).
   */
  files?: string[];
}

const EMPTY_REPORT: GradeReport = { passed: 0, failed: 0, checks: [], failures: [], errors: [], notes: [] };

/**
 * Runs one lab's grader (every test file under labs/<folder>/grader) in a fresh vitest process, against the
 * tree KIT_TARGET names, and returns what the grade reporter saw. What the lab needs of the machine is
 * checked first (see preflight.ts).
 */
export async function runGrader(lab: Lab, target: string, { quiet = false, echoTo = 'stdout', signal, probes, bail = false, fileOrder = [], files }: RunOptions = {}): Promise<GraderRun> {
  const started = Date.now();
  const missing = (await preflight(lab, probes)) ?? graderMissing(lab) ?? noFileLeft(lab, files);
  if (missing) return { report: EMPTY_REPORT, exitCode: 1, ms: Date.now() - started, couldNotRun: missing };
  const dir = mkdtempSync(path.join(tmpdir(), 'kit-grade-'));
  const reportFile = path.join(dir, 'report.json');
  const args = [
    path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...(files ?? [`labs/${lab.folder}/grader`]),
    '--reporter',
    path.join(REPO_ROOT, 'shared', 'cli', 'grade-reporter.ts'),
  ];
  let stderr = '';
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, KIT_TARGET: target, KIT_REPORT_FILE: reportFile, KIT_QUIET: quiet ? '1' : '0', KIT_BAIL: bail ? '1' : '0', KIT_FILE_ORDER: fileOrder.join(path.delimiter), ...bailWorkers(target, bail), FORCE_COLOR: '0' },
      // vitest's own stderr is kept, not shown: when no check ran, the one line that matters is read from it.
      // (File descriptor 2 is this process's stderr.)
      stdio: ['ignore', quiet ? 'ignore' : echoTo === 'stderr' ? 2 : 'inherit', 'pipe'],
      signal,
      killSignal: 'SIGTERM',
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-65_536)));
    child.once('error', () => {});
    child.once('exit', (code) => resolve(code ?? 1));
  });
  let report: GradeReport = EMPTY_REPORT;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport;
  } catch {
    // No report: vitest stopped before its reporters finished. The stderr says why.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ran = report.passed + report.failed > 0;
  const couldNotRun = ran ? undefined : couldNotRunReason(stderr, lab, exitCode, report.errors);
  return { report, exitCode, ms: Date.now() - started, couldNotRun };
}

/** vitest says nothing useful when it finds no test file (its default reporter would, ours does not). */
function graderMissing(lab: Lab): CouldNotRun | undefined {
  const grader = `labs/${lab.folder}/grader`;
  const folder = path.join(REPO_ROOT, grader);
  const files = existsSync(folder) ? readdirSync(folder, { recursive: true, encoding: 'utf8' }) : [];
  if (files.some((f) => f.endsWith('.test.ts'))) return undefined;
  return { reason: `there is no test file in ${grader}`, fix: `restore it with \`git checkout -- ${grader}\`` };
}

/** An empty list of files would make vitest run every test file of the repository. */
function noFileLeft(lab: Lab, files: string[] | undefined): CouldNotRun | undefined {
  if (!files || files.length > 0) return undefined;
  return { reason: `no test file in labs/${lab.folder}/grader runs the tree under test (each says it is independent of it)`, fix: 'remove the tag from the files that do run the tree under test (see shared/cli/target-files.ts)' };
}

/** A grader run passes when at least one check ran, none failed and nothing broke outside the checks. */
export function passed(run: GraderRun): boolean {
  return !run.couldNotRun && run.exitCode === 0 && run.report.failed === 0 && run.report.errors.length === 0 && run.report.passed > 0;
}

/**
 * A run that stops at its first failure (a mutant's, verify's run of the starter) mostly ends in the first
 * file or two: two files at a time start their services sooner than three competing for the CPU, and the
 * later files, started once the verdict is known, start nothing. KIT_WORKERS still overrides.
 */
function bailWorkers(target: string, bail: boolean): { KIT_WORKERS?: string } {
  if (process.env.KIT_WORKERS || !(bail || target.startsWith('mutant:'))) return {};
  return { KIT_WORKERS: '2' };
}
