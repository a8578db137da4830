import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { declaresIndependentOfTarget, filesThatRunTheTarget } from './target-files.ts';

describe('which grader files verify runs on the starter and the mutants', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kit-target-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('when a file declares in its opening comment that it never runs the tree under test, then it is left out; every other test file stays', () => {
    const grader = path.join(root, 'labs', '99-made-up', 'grader');
    mkdirSync(path.join(grader, 'more'), { recursive: true });
    writeFileSync(path.join(grader, 'control.int.test.ts'), `// @kit-independent-of-target: runs the naive variant only\nimport { test } from 'vitest';\n`);
    writeFileSync(path.join(grader, 'target.int.test.ts'), `import { test } from 'vitest';\n`);
    writeFileSync(path.join(grader, 'decisions.unit.test.ts'), `import { test } from 'vitest';\n`);
    writeFileSync(path.join(grader, 'more', 'chaos.int.test.ts'), `/**\n * A chaos run.\n */\nimport { test } from 'vitest';\n`);
    writeFileSync(path.join(grader, 'world.ts'), `// @kit-independent-of-target\nexport const helper = 1;\n`);
    expect(filesThatRunTheTarget({ folder: '99-made-up' }, root)).toEqual([
      'labs/99-made-up/grader/decisions.unit.test.ts',
      'labs/99-made-up/grader/more/chaos.int.test.ts',
      'labs/99-made-up/grader/target.int.test.ts',
    ]);
  });

  test('when the tag is mentioned after the first line of code, or as part of a longer word, then it declares nothing', () => {
    expect(declaresIndependentOfTarget(`/**\n * @kit-independent-of-target\n */\nimport x from 'y';`)).toBe(true);
    expect(declaresIndependentOfTarget(`import x from 'y';\n// @kit-independent-of-target`)).toBe(false);
    expect(declaresIndependentOfTarget(`// see @kit-independent-of-target-files\nimport x from 'y';`)).toBe(false);
  });

  test('when verify runs lab 05 on a mutant, then the naive world’s file (anomalies) is left out and the target’s stays', () => {
    const files = filesThatRunTheTarget({ folder: '05-countermeasures' });
    expect(files).not.toContain('labs/05-countermeasures/grader/anomalies.int.test.ts');
    expect(files).toContain('labs/05-countermeasures/grader/countermeasures.int.test.ts');
    expect(files).toContain('labs/05-countermeasures/grader/decisions.unit.test.ts');
  });
});
