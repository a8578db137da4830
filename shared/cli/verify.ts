import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadMutants, materializeMutant, REPO_ROOT } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';
import { passed, runGrader, type GraderRun, type RunOptions } from './run-grader.ts';
import { filesThatRunTheTarget } from './target-files.ts';

export interface VerifyResult {
  lab: string;
  target: string;
  expected: 'pass' | 'fail';
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * The instructor's check that a grader tests something: it must pass on the solution, and fail on the
 * untouched starter and on every mutant (a deliberately wrong solution). A grader that passes a mutant
 * cannot tell that mistake from the right answer.
 */
export async function verifyLab(lab: Lab, onResult: (r: VerifyResult) => void = () => {}): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  const record = (r: VerifyResult) => {
    results.push(r);
    onResult(r);
  };

  const solution = keep(lab, 'solution', await runGrader(lab, 'solutions', verifyRunOptions(lab, 'solution')));
  if (solution.couldNotRun) {
    // Nothing can be learned from the starter and the mutants either: say why once, with the fix.
    const { reason, fix } = solution.couldNotRun;
    record({ lab: lab.id, target: 'solution', expected: 'pass', ok: false, detail: `the grader could not run: ${reason} Fix: ${fix}`, ms: solution.ms });
    return results;
  }
  const solutionDetail = passed(solution)
    ? `${solution.report.passed} checks passed`
    : [`${solution.report.failed} of ${solution.report.passed + solution.report.failed} checks failed`, ...solution.report.failures.map((f) => `${f.title}: ${f.message.split('\n')[0]}`), ...solution.report.errors].join('\n      ');
  record({ lab: lab.id, target: 'solution', expected: 'pass', ok: passed(solution), detail: solutionDetail, ms: solution.ms });

  const fileOrder = quickestFirst(solution.report.checks);
  const starter = keep(lab, 'starter', await runGrader(lab, 'labs', verifyRunOptions(lab, 'starter', fileOrder)));
  record({ lab: lab.id, target: 'starter', expected: 'fail', ok: !passed(starter), detail: failDetail(starter), ms: starter.ms });

  for (const mutant of await loadMutants(lab.folder)) {
    try {
      materializeMutant(lab.folder, mutant);
    } catch (error) {
      record({ lab: lab.id, target: `mutant ${mutant.id}`, expected: 'fail', ok: false, detail: (error as Error).message, ms: 0 });
      continue;
    }
    const run = keep(lab, `mutant-${mutant.id}`, await runGrader(lab, `mutant:${mutant.id}`, verifyRunOptions(lab, 'mutant', fileOrder)));
    const { caught, detail } = mutantVerdict(run, mutant.note);
    record({ lab: lab.id, target: `mutant ${mutant.id}`, expected: 'fail', ok: caught, detail, ms: run.ms });
  }
  return results;
}

/**
 * How verify runs the grader on each tree. The solution's run is a learner's: every check of every file.
 * The starter and the mutants only have to fail: their runs stop starting checks once one failed; the files
 * whose first check was quickest in the solution's run (`fileOrder`) start first, before the files that open
 * with a chaos run; and a file that never runs the tree under test (a control, see target-files.ts) is left
 * out, since it cannot make them fail and would only take the CPU from the files that can.
 */
export function verifyRunOptions(lab: Lab, run: 'solution' | 'starter' | 'mutant', fileOrder: string[] = []): RunOptions {
  if (run === 'solution') return { quiet: true };
  return { quiet: true, bail: run === 'starter', fileOrder, files: filesThatRunTheTarget(lab) };
}

/**
 * Keeps each run's report in .kit/verify/<lab>/ (git-ignored): which check caught a mutant, and how long each
 * check took, when a verify is slower than it should be.
 */
function keep(lab: Lab, name: string, run: GraderRun): GraderRun {
  const dir = path.join(REPO_ROOT, '.kit', 'verify', lab.folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ ms: run.ms, exitCode: run.exitCode, couldNotRun: run.couldNotRun, ...run.report }, null, 2));
  return run;
}

/**
 * A mutant is caught only when a check failed: the grader looked at the mutant's behaviour and judged it
 * wrong. A run that failed only outside the checks (a world that did not start, a hook or a file that threw,
 * a grader that could not run) judged nothing: it is a set-up error, reported as such and not counted as a
 * catch, or a mutant that merely breaks the set-up would pass for one the grader understands.
 */
export function mutantVerdict(run: GraderRun, note: string): { caught: boolean; detail: string } {
  if (run.report.failed > 0) {
    const first = run.report.failures[0];
    const why = first ? `; first: ${first.title}: ${first.message.split('\n')[0]}` : '';
    return { caught: true, detail: `caught (${note}): ${failDetail(run)}${why}` };
  }
  if (passed(run)) return { caught: false, detail: `NOT CAUGHT: the grader passes a solution that ${note}` };
  const problems = run.couldNotRun ? [run.couldNotRun.reason] : run.report.errors.length > 0 ? run.report.errors : [`vitest exited with code ${run.exitCode} and no check failed`];
  return { caught: false, detail: `SET-UP ERROR, not a catch (no check failed; ${run.report.passed} passed): ${problems.map((p) => p.split('\n')[0]).join(' | ')}` };
}

function failDetail(run: GraderRun): string {
  if (run.couldNotRun) return `the grader could not run: ${run.couldNotRun.reason}`;
  return `${run.report.failed} of ${run.report.passed + run.report.failed} checks fail`;
}

/**
 * The files of a run, those whose first check was quickest first (a report's `checks` are in the order they
 * finished, so a file's first entry is its first check). A run that stops at its first failure mostly ends
 * on a quick check near the top of a file; a file that opens with a chaos run is better started last.
 */
export function quickestFirst(checks: Array<{ file: string; ms: number }>): string[] {
  const first = new Map<string, number>();
  for (const { file, ms } of checks) if (!first.has(file)) first.set(file, ms);
  return [...first].sort((a, b) => a[1] - b[1]).map(([file]) => file);
}
