import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';

/**
 * The tag a grader file puts in its opening comment when no check in it runs the tree under test: lab 05's
 * anomalies file, for one, runs only the naive variant, to prove that each scenario produces its anomaly.
 * Such a file (a control, in the experimenter's sense) passes or fails the same whatever tree is graded. It
 * belongs in the solution's run and in every learner's grade, where its failure means a broken scenario; in
 * verify's runs of the starter and the mutants it can never catch anything, and only takes the CPU from the
 * files that can. It is read from the source, like `@vitest-environment`, so the claim sits next to the code
 * that makes it true.
 */
export const INDEPENDENT_OF_TARGET = '@kit-independent-of-target';

/** Whether a test file declares, in the comments before its first line of code, that it never runs the target. */
export function declaresIndependentOfTarget(source: string): boolean {
  for (const line of source.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    if (!/^(\/\/|\/\*|\*)/.test(text)) return false;
    if (new RegExp(`(^|\\s)${INDEPENDENT_OF_TARGET}(?![\\w-])`).test(text)) return true;
  }
  return false;
}

/**
 * The test files of a lab's grader that run the tree under test (paths relative to `root`, sorted): every
 * `*.test.ts` under labs/<folder>/grader but those that declare INDEPENDENT_OF_TARGET.
 */
export function filesThatRunTheTarget(lab: Pick<Lab, 'folder'>, root = REPO_ROOT): string[] {
  const grader = path.join(root, 'labs', lab.folder, 'grader');
  if (!existsSync(grader)) return [];
  return readdirSync(grader, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => !declaresIndependentOfTarget(readFileSync(path.join(grader, f), 'utf8')))
    .map((f) => path.relative(root, path.join(grader, f)))
    .sort();
}
