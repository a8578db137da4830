import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import manifest from '../../labs/manifest.json';
import {upcomingLabs} from '../src/components/upcoming-labs';
import {CAPTURED_RUNS_DIR, LAB_PAGE_SECTIONS, RUNS_NOT_CAPTURED_YET, RUNS_PENDING_MARKER, missingSections} from './lab-page-sections.mjs';

const docsDir = path.resolve(import.meta.dirname, '..', 'docs');

/** A page with every required section, each filled so that its own check passes. */
function completePage(labId: string): string {
  const fill: Record<string, string> = {
    'Prerequisites and time': 'About 30 minutes.',
    'The pattern': '```mermaid\nflowchart LR\n  a --> b\n```',
    Hints: `<LabHints id="${labId}" />`,
    'A passing and a failing run': `\`\`\`text file=${CAPTURED_RUNS_DIR}/${labId}-pass.txt\n\`\`\`\n\n\`\`\`text file=${CAPTURED_RUNS_DIR}/${labId}-fail.txt title="the starter"\n\`\`\``,
    'For instructors': 'See [the guide](../instructors/01-sync-mesh.md).',
    'Review questions': '1. one?\n2. two?\n3. three?',
  };
  return LAB_PAGE_SECTIONS.map((s) => `## ${s.heading}\n\n${fill[s.heading] ?? 'Text.'}\n`).join('\n');
}

describe('the required sections of a lab page', () => {
  test('when a page has every section, then nothing is missing', () => {
    expect(missingSections(completePage('01'), '01')).toEqual([]);
  });

  test('when a page lacks a section, then the check names it', () => {
    const page = completePage('01').replace('## Review questions', '## Questions');
    expect(missingSections(page, '01')).toEqual(expect.arrayContaining([expect.stringContaining('"## Review questions"')]));
  });

  test('when the pattern has no diagram or the failing run is not included, then the check says so', () => {
    const page = completePage('01').replace('```mermaid', '```text').replace('01-fail.txt', '01-failing.txt');
    const problems = missingSections(page, '01');
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('mermaid'), expect.stringContaining('npm run capture-runs -- 01')]));
    expect(problems.join('\n')).toContain('01-fail.txt');
    expect(problems.join('\n')).not.toContain('01-pass.txt');
  });

  test('when sections are out of order, then the check says so', () => {
    const page = completePage('01').replace('## Objectives', '## Objectivez').replace('## Steps', '## Objectives\n\nx\n\n## Steps');
    expect(missingSections(page, '01').join('\n')).toMatch(/open with "## Objectives"/);
  });

  test('when a heading sits inside a code fence, then it is not a section', () => {
    const page = completePage('01').replace('## Trade-offs', '```md\n## Trade-offs\n```');
    expect(missingSections(page, '01').join('\n')).toMatch(/"## Trade-offs".*missing/);
  });
});

describe('every lab page in the manifest', () => {
  for (const lab of manifest.labs) {
    test(`when lab ${lab.id}'s page is read, then it has every required section in order`, () => {
      const file = path.join(docsDir, `${lab.docs}.md`);
      expect(fs.existsSync(file), `${file} is missing`).toBe(true);
      expect(missingSections(fs.readFileSync(file, 'utf8'), lab.id)).toEqual([]);
    });
  }
});

describe('runs not captured yet', () => {
  const withRuns = (labId: string, body: string) =>
    completePage(labId).replace(/## A passing and a failing run\n\n[\s\S]*?(?=## Trade-offs)/, `## A passing and a failing run\n\n${body}\n\n`);
  const pasted = '```text\nPASS  lab 05: all 2 checks pass\n```\n\n```text\nNOT YET  lab 05: 1 of 2 checks fail\n```';

  test('when a lab is not on the pending list, then neither a pending marker nor a pasted run excuses its missing captures', () => {
    expect(missingSections(withRuns('01', RUNS_PENDING_MARKER), '01').join('\n')).toMatch(/npm run capture-runs -- 01/);
    expect(missingSections(withRuns('01', pasted.replaceAll('05', '01')), '01').join('\n')).toMatch(/npm run capture-runs -- 01/);
  });

  test('when a lab still being written is on the pending list, then a pasted run or the marker is enough', () => {
    // Every lab's runs are captured today: a made-up lab stands on the list for the length of this test.
    RUNS_NOT_CAPTURED_YET.push('99');
    try {
      expect(missingSections(withRuns('99', pasted.replaceAll('05', '99')), '99')).toEqual([]);
      expect(missingSections(withRuns('99', RUNS_PENDING_MARKER), '99')).toEqual([]);
    } finally {
      RUNS_NOT_CAPTURED_YET.pop();
    }
  });
});

describe('the labs still to come', () => {
  test('when a lab ships, then it leaves the list of labs to come', () => {
    const shipped = new Set(manifest.labs.map((l) => l.id));
    expect(upcomingLabs.filter((l) => shipped.has(l.id)).map((l) => l.id)).toEqual([]);
  });
});
