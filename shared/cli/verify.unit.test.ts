import { describe, expect, test } from 'vitest';
import type { GradeReport } from './grade-reporter.ts';
import type { GraderRun } from './run-grader.ts';
import { stopsAtFirstFailure } from '../harness/mutant-caught.ts';
import { mutantVerdict, quickestFirst, verifyRunOptions } from './verify.ts';

const NOTE = 'forgets the timeout';

function run(report: Partial<GradeReport>, extra: Partial<GraderRun> = {}): GraderRun {
  return { report: { passed: 0, failed: 0, checks: [], failures: [], errors: [], notes: [], ...report }, exitCode: 1, ms: 10, ...extra };
}

describe('whether verify counts a mutant as caught', () => {
  test('when a check fails on the mutant, then it is caught, and the verdict names the check', () => {
    const verdict = mutantVerdict(run({ passed: 3, failed: 1, failures: [{ title: 'when slow, then 503', file: 'f', message: 'expected 200 to be 503\nstack' }] }), NOTE);
    expect(verdict.caught).toBe(true);
    expect(verdict.detail).toContain('when slow, then 503: expected 200 to be 503');
  });

  test('when every check passes, then it is not caught', () => {
    const verdict = mutantVerdict(run({ passed: 4 }, { exitCode: 0 }), NOTE);
    expect(verdict).toEqual({ caught: false, detail: `NOT CAUGHT: the grader passes a solution that ${NOTE}` });
  });

  test('when only a set-up hook threw and the other checks passed, then it is a set-up error, not a catch', () => {
    const verdict = mutantVerdict(run({ passed: 5, errors: ['labs/02-outbox/grader/purge.int.test.ts: order-service exited before it was ready'] }), NOTE);
    expect(verdict.caught).toBe(false);
    expect(verdict.detail).toMatch(/^SET-UP ERROR/);
    expect(verdict.detail).toContain('order-service exited before it was ready');
  });

  test('when the grader could not run at all, then it is a set-up error, not a catch', () => {
    const verdict = mutantVerdict(run({}, { couldNotRun: { reason: 'RabbitMQ does not answer', fix: 'start it' } }), NOTE);
    expect(verdict.caught).toBe(false);
    expect(verdict.detail).toContain('RabbitMQ does not answer');
  });

  test('when vitest failed with no check failed and no error reported, then it is still not a catch', () => {
    expect(mutantVerdict(run({ passed: 2 }, { exitCode: 1 }), NOTE).caught).toBe(false);
  });
});

describe('which runs stop at their first failing check', () => {
  const report = { KIT_REPORT_FILE: '/tmp/report.json' };
  test('when verify runs a mutant or the starter, then it stops; a learner’s run and the solution’s never do', () => {
    expect(stopsAtFirstFailure({ ...report, KIT_TARGET: 'mutant:no-dedup' })).toBe(true);
    expect(stopsAtFirstFailure({ ...report, KIT_TARGET: 'labs', KIT_BAIL: '1' })).toBe(true);
    expect(stopsAtFirstFailure({ ...report, KIT_TARGET: 'labs', KIT_BAIL: '0' })).toBe(false);
    expect(stopsAtFirstFailure({ ...report, KIT_TARGET: 'solutions' })).toBe(false);
    expect(stopsAtFirstFailure({ KIT_TARGET: 'labs', KIT_BAIL: '1' }), 'without a report file there is nowhere to record the first failure').toBe(false);
  });
});

describe('the order in which a run that stops at its first failure starts its files', () => {
  test('when one file opens with a 20 s chaos check and another with a 1 s check, then the quick opener starts first', () => {
    const checks = [
      { file: '/g/chaos.int.test.ts', ms: 20_000 },
      { file: '/g/consumer.int.test.ts', ms: 1_000 },
      { file: '/g/cancel.int.test.ts', ms: 1_500 },
      { file: '/g/consumer.int.test.ts', ms: 30_000 },
      { file: '/g/chaos.int.test.ts', ms: 100 },
    ];
    expect(quickestFirst(checks)).toEqual(['/g/consumer.int.test.ts', '/g/cancel.int.test.ts', '/g/chaos.int.test.ts']);
  });
});

describe('which grader files each of verify’s runs starts', () => {
  const lab = { id: '05', folder: '05-countermeasures', title: '', docs: '', summary: '', hints: ['h'], needs: [] };
  const control = 'labs/05-countermeasures/grader/anomalies.int.test.ts';
  test('when a file runs only the naive variant, then the starter’s and the mutants’ runs leave it out, and the solution’s runs the whole grader', () => {
    expect(verifyRunOptions(lab, 'solution').files, 'the solution’s run is a learner’s: every file').toBeUndefined();
    for (const run of ['starter', 'mutant'] as const) {
      const { files } = verifyRunOptions(lab, run, []);
      expect(files).toContain('labs/05-countermeasures/grader/countermeasures.int.test.ts');
      expect(files, `${run}: a file that never runs the tree under test cannot catch it`).not.toContain(control);
    }
  });
});
