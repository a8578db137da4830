import path from 'node:path';
import { mutantDir, REPO_ROOT } from './mutants.ts';

/**
 * Which tree a grader runs against. The CLI sets KIT_TARGET: `labs` (the learner's code, the default),
 * `solutions`, or `mutant:<id>`. One grader, written once, checks all three.
 */
export type Target = { kind: 'labs' } | { kind: 'solutions' } | { kind: 'mutant'; id: string };

export function currentTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const value = env.KIT_TARGET ?? 'labs';
  if (value === 'labs' || value === 'solutions') return { kind: value };
  if (value.startsWith('mutant:')) return { kind: 'mutant', id: value.slice('mutant:'.length) };
  throw new Error(`KIT_TARGET must be labs, solutions or mutant:<id>, not ${JSON.stringify(value)}`);
}

export function describeTarget(target: Target): string {
  return target.kind === 'mutant' ? `mutant ${target.id}` : target.kind;
}

/** The folder of `labFolder` (like `01-sync-mesh`) in the tree under test. */
export function labDir(labFolder: string, target: Target = currentTarget()): string {
  switch (target.kind) {
    case 'labs':
      return path.join(REPO_ROOT, 'labs', labFolder);
    case 'solutions':
      return path.join(REPO_ROOT, 'solutions', labFolder);
    case 'mutant':
      return mutantDir(labFolder, target.id);
  }
}

/** Imports a module of the tree under test, for graders that test pure code in-process. */
export async function importFromTarget<T>(labFolder: string, file: string): Promise<T> {
  return (await import(path.join(labDir(labFolder), file))) as T;
}
