import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../harness/mutants.ts';
import { lastRunOf } from './last-run.ts';
import type { GraderRun } from './run-grader.ts';

const graderFile = 'labs/01-sync-mesh/grader/mesh-behaviour.int.test.ts';
const at = new Date('2026-11-30T12:00:00Z');

const emptyReport = { passed: 0, failed: 0, checks: [], failures: [], errors: [], notes: [] };

type Listed = { title: string; file: string; state: 'passed' | 'failed'; ms?: number };

/** A run whose grade reporter listed `checks` (with absolute paths, as the reporter writes them). */
function run(overrides: Partial<GraderRun['report']>, checks: Listed[]): GraderRun {
  const listed = checks.map((c) => ({ title: c.title, file: path.join(REPO_ROOT, c.file), passed: c.state === 'passed', ms: c.ms ?? 0 }));
  return { exitCode: 1, ms: 4_200, report: { ...emptyReport, checks: listed, ...overrides } };
}

describe('the last run the course site shows', () => {
  test('when one check of two fails, then both are listed in order and the failing one carries its message and diagram', () => {
    const timeline = path.join(REPO_ROOT, 'runs', 'lab-01-slow.md');
    const graded = run(
      { passed: 1, failed: 1, failures: [{ title: 'when slow, then 503', file: path.join(REPO_ROOT, graderFile), message: 'expected 501 to be 503', timeline }] },
      [
        { title: 'when fine, then 201', file: graderFile, state: 'passed', ms: 12 },
        { title: 'when slow, then 503', file: graderFile, state: 'failed', ms: 640 },
      ],
    );
    const read = (file: string) => (file === timeline ? 'sequenceDiagram\n  a->>b: hi' : undefined);
    expect(lastRunOf('01', graded, at, read)).toEqual({
      lab: '01',
      at: '2026-11-30T12:00:00.000Z',
      verdict: 'not yet',
      ms: 4_200,
      passed: 1,
      failed: 1,
      checks: [
        { title: 'when fine, then 201', file: graderFile, state: 'passed', ms: 12 },
        { title: 'when slow, then 503', file: graderFile, state: 'failed', ms: 640, message: 'expected 501 to be 503', timeline: { file: 'runs/lab-01-slow.md', mermaid: 'sequenceDiagram\n  a->>b: hi' } },
      ],
      errors: [],
      notes: [],
    });
  });

  test('when every check passes, then the verdict is pass and no check has a message', () => {
    const graded = { ...run({ passed: 2 }, [
      { title: 'a', file: graderFile, state: 'passed' },
      { title: 'b', file: graderFile, state: 'passed' },
    ]), exitCode: 0 };
    const lastRun = lastRunOf('01', graded, at, () => undefined);
    expect(lastRun.verdict).toBe('pass');
    expect(lastRun.checks.every((c) => c.message === undefined)).toBe(true);
  });

  test('when the check list is missing a failure the report has, then the failure is still shown', () => {
    const graded = run({ failed: 1, failures: [{ title: 'when x, then y', file: path.join(REPO_ROOT, graderFile), message: 'boom' }] }, []);
    expect(lastRunOf('01', graded, at, () => undefined).checks).toEqual([{ title: 'when x, then y', file: graderFile, state: 'failed', message: 'boom' }]);
  });
});
