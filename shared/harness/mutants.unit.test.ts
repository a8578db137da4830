import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadLabs } from '../cli/manifest.ts';
import { loadMutants, materializeMutant, mutantDir, REPO_ROOT } from './mutants.ts';

const lab = `zz-mutant-test-${process.pid}`;
const solution = path.join(REPO_ROOT, 'solutions', lab);
afterEach(() => {
  rmSync(solution, { recursive: true, force: true });
  rmSync(mutantDir(lab, 'wrong'), { recursive: true, force: true });
});

describe('mutants', () => {
  test('when a mutant is materialized, then its tree is the solution with exactly its replacement applied', () => {
    mkdirSync(path.join(solution, 'svc'), { recursive: true });
    writeFileSync(path.join(solution, 'svc', 'a.ts'), 'export const rate = 1 * 2;\n');
    writeFileSync(path.join(solution, 'b.ts'), 'untouched\n');
    const dir = materializeMutant(lab, { id: 'wrong', note: 'n', file: 'svc/a.ts', replace: [{ from: '1 * 2', to: '1 + 2' }] });
    expect(readFileSync(path.join(dir, 'svc', 'a.ts'), 'utf8')).toBe('export const rate = 1 + 2;\n');
    expect(readFileSync(path.join(dir, 'b.ts'), 'utf8')).toBe('untouched\n');
    expect(readFileSync(path.join(solution, 'svc', 'a.ts'), 'utf8')).toContain('1 * 2');
  });

  test('when the solution no longer contains the text a mutant replaces, then materializing fails and says which mutant to update', () => {
    mkdirSync(solution, { recursive: true });
    writeFileSync(path.join(solution, 'a.ts'), 'changed since\n');
    expect(() => materializeMutant(lab, { id: 'wrong', note: 'n', file: 'a.ts', replace: [{ from: 'gone', to: 'x' }] })).toThrow(/mutants\.ts/);
  });

  test('when the kit lists its labs, then every mutant of every lab still applies to its solution', async () => {
    for (const { folder } of loadLabs()) {
      for (const mutant of await loadMutants(folder)) {
        expect(mutant.note.length, `mutant ${folder}/${mutant.id} needs a one-line note`).toBeGreaterThan(10);
        expect(() => materializeMutant(folder, mutant)).not.toThrow();
      }
    }
  });
});
