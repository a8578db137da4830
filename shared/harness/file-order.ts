import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order in which vitest starts a grader's files. By default (vitest's own) the slowest file starts
 * first, which suits a run of every check. A run that stops at its first failing check (`npm run verify`'s
 * mutants and starter) is better served the other way round: verify passes KIT_FILE_ORDER, the grader's
 * files ranked by how quick their first check was in the solution's run, so the quick checks that catch most
 * mistakes run first, and a chaos file that starts after the verdict is known starts nothing.
 * The order changes when a check runs, never whether it runs.
 */
export default class KitSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = fileOrder();
    if (order.length === 0) return super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = order.indexOf(path.resolve(spec.moduleId));
      // A file the solution's run did not measure has no known cost: it goes first, like a cheap one.
      return i === -1 ? -1 : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

function fileOrder(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KIT_FILE_ORDER ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((f) => path.resolve(f));
}

