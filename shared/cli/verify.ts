import { loadMutants, materializeMutant } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';
import { passed, runGrader, type GraderRun } from './run-grader.ts';

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

  const solution = await runGrader(lab, 'solutions', { quiet: true });
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

  const starter = await runGrader(lab, 'labs', { quiet: true });
  record({ lab: lab.id, target: 'starter', expected: 'fail', ok: !passed(starter), detail: failDetail(starter), ms: starter.ms });

  for (const mutant of await loadMutants(lab.folder)) {
    try {
      materializeMutant(lab.folder, mutant);
    } catch (error) {
      record({ lab: lab.id, target: `mutant ${mutant.id}`, expected: 'fail', ok: false, detail: (error as Error).message, ms: 0 });
      continue;
    }
    const run = await runGrader(lab, `mutant:${mutant.id}`, { quiet: true });
    const detail = passed(run) ? `NOT CAUGHT: the grader passes a solution that ${mutant.note}` : `caught (${mutant.note}): ${failDetail(run)}`;
    record({ lab: lab.id, target: `mutant ${mutant.id}`, expected: 'fail', ok: !passed(run), detail, ms: run.ms });
  }
  return results;
}

function failDetail(run: GraderRun): string {
  if (run.couldNotRun) return `the grader could not run: ${run.couldNotRun.reason}`;
  return `${run.report.failed} of ${run.report.passed + run.report.failed} checks fail`;
}
