import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A mutant is a deliberately wrong version of one solution file: the mistake a learner is likely to make.
 * A grader that still passes on a mutant does not test the behaviour the mutant breaks. Each mutant is a
 * small text replacement, so it reads as the mistake itself and cannot drift silently: if the solution
 * changes and `from` is no longer there, materializing the mutant fails loudly.
 */
export interface Mutant {
  /** Short and stable, used on the command line: `no-timeout`. */
  id: string;
  /** One line: the mistake this mutant embodies. */
  note: string;
  /** Path of the solution file to change, relative to the lab's folder. */
  file: string;
  /** Each `from` must occur exactly once in the file; it is replaced by `to`. */
  replace: Array<{ from: string; to: string }>;
}

export function defineMutants(mutants: Mutant[]): Mutant[] {
  return mutants;
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Where a mutant's tree is written: git-ignored, rebuilt each time. */
export function mutantDir(labFolder: string, mutantId: string): string {
  return path.join(REPO_ROOT, '.kit', 'mutants', `${labFolder}--${mutantId}`);
}

export async function loadMutants(labFolder: string): Promise<Mutant[]> {
  const file = path.join(REPO_ROOT, 'solutions', labFolder, 'mutants.ts');
  if (!existsSync(file)) return [];
  const module = (await import(file)) as { default: Mutant[] };
  return module.default;
}

/** Copies the lab's solution and applies the mutant's replacements; returns the tree's folder. */
export function materializeMutant(labFolder: string, mutant: Mutant): string {
  return materializeVariant(labFolder, mutant.id, [mutant]);
}

/**
 * Copies the lab's solution and applies the replacements of several mutants at once, into the tree of
 * `variantId`. Lab 05's graders run its naive variant (every countermeasure removed) this way, to show that
 * each anomaly really happens without its countermeasure.
 */
export function materializeVariant(labFolder: string, variantId: string, mutants: Mutant[]): string {
  const source = path.join(REPO_ROOT, 'solutions', labFolder);
  const target = mutantDir(labFolder, variantId);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true, filter: (p) => !p.includes('node_modules') });
  for (const mutant of mutants) {
    const file = path.join(target, mutant.file);
    let text = readFileSync(file, 'utf8');
    for (const { from, to } of mutant.replace) {
      const count = text.split(from).length - 1;
      if (count !== 1) {
        throw new Error(
          `mutant ${labFolder}/${mutant.id}: expected the text ${JSON.stringify(from)} once in ${mutant.file}, found it ${count} times. ` +
            'The solution changed: update the mutant in solutions/' + labFolder + '/mutants.ts.',
        );
      }
      text = text.replace(from, to);
    }
    writeFileSync(file, text);
  }
  return target;
}
