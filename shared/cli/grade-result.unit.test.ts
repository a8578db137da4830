import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../harness/mutants.ts';
import { GRADE_RESULT_SCHEMA_FILE } from './classroom.ts';
import { classroomResultFromFile, toClassroomResult } from './classroom-result.ts';
import { gradeResult, gradeResultJsonSchema, pointsEarned } from './grade-result.ts';
import { loadLabs } from './manifest.ts';
import type { GraderRun } from './run-grader.ts';
import { schemaValidator } from './schema-validator.ts';

const lab = loadLabs().find((l) => l.id === '02')!;
const startedAt = new Date('2026-01-05T09:00:00Z');
const file = (name: string) => path.join(REPO_ROOT, 'labs', lab.folder, 'grader', name);
const validate = schemaValidator(GRADE_RESULT_SCHEMA_FILE);

/** A grader run as run-grader.ts returns it: `passed` of the checks pass, the rest fail. */
function run(passedChecks: number, failedChecks: number, extra: Partial<GraderRun['report']> & Partial<GraderRun> = {}): GraderRun {
  const checks = [
    ...Array.from({ length: passedChecks }, (_, i) => ({ title: `when case ${i}, then it holds`, file: file('outbox.int.test.ts'), passed: true, ms: 100 + i })),
    ...Array.from({ length: failedChecks }, (_, i) => ({ title: `when broken ${i}, then it holds`, file: file('relay.int.test.ts'), passed: false, ms: 200 })),
  ];
  const failures = checks.filter((c) => !c.passed).map((c) => ({ title: c.title, file: c.file, message: `expected no lost message (${c.title})`, timeline: path.join(REPO_ROOT, 'runs', 'lab-02-x.md') }));
  const { couldNotRun, exitCode, ...report } = extra;
  return {
    report: { passed: passedChecks, failed: failedChecks, checks, failures, errors: [], notes: ['lab 02: 1000 orders'], ...report },
    exitCode: exitCode ?? (failedChecks > 0 ? 1 : 0),
    ms: 4321,
    ...(couldNotRun ? { couldNotRun } : {}),
  };
}

describe('npm run grade -- NN --json: the result', () => {
  test('when the committed JSON Schema is compared with grade-result.ts, then it is the same (npm run classroom -- schema writes it)', () => {
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, GRADE_RESULT_SCHEMA_FILE), 'utf8')) as unknown;
    expect(committed).toEqual(gradeResultJsonSchema());
  });

  test('when every check passes, then the result says pass, lists the checks and earns every point', () => {
    const result = gradeResult(lab, run(3, 0), { possible: 10, startedAt });
    expect(validate(result)).toEqual([]);
    expect(result).toMatchObject({ version: 1, lab: { id: '02', folder: lab.folder }, status: 'pass', points: { earned: 10, possible: 10 }, durationMs: 4321, startedAt: '2026-01-05T09:00:00.000Z' });
    expect(result.checks).toHaveLength(3);
    expect(result.checks[0]).toEqual({ name: 'when case 0, then it holds', file: `labs/${lab.folder}/grader/outbox.int.test.ts`, status: 'pass', durationMs: 100 });
  });

  test('when some checks fail, then each failed one carries its message and timeline, and the points follow the passing share', () => {
    const result = gradeResult(lab, run(3, 1), { possible: 10, startedAt });
    expect(validate(result)).toEqual([]);
    expect(result.status).toBe('fail');
    expect(result.points).toEqual({ earned: 7, possible: 10 });
    expect(result.checks[3]).toMatchObject({ status: 'fail', message: 'expected no lost message (when broken 0, then it holds)', timeline: 'runs/lab-02-x.md' });
  });

  test('when a test file does not load, then the result fails and the error costs at least a point although every check that ran passed', () => {
    const result = gradeResult(lab, run(3, 0, { errors: ['labs/02-outbox/grader/relay.int.test.ts: Cannot find module'], exitCode: 1 }), { possible: 10, startedAt });
    expect(validate(result)).toEqual([]);
    expect(result.status).toBe('fail');
    expect(result.points.earned).toBe(7);
  });

  test('when the grader could not run, then the status is error, the reason and fix are kept, and no point is earned', () => {
    const result = gradeResult(lab, run(0, 0, { couldNotRun: { reason: 'Could not reach RabbitMQ', fix: 'npm run doctor' }, exitCode: 1 }), { possible: 10, startedAt });
    expect(validate(result)).toEqual([]);
    expect(result).toMatchObject({ status: 'error', couldNotRun: { reason: 'Could not reach RabbitMQ' }, points: { earned: 0, possible: 10 } });
  });

  test('when a result lacks its points or has a field the format does not know, then the schema refuses it', () => {
    const { points: _points, ...withoutPoints } = gradeResult(lab, run(1, 0), { startedAt });
    expect(validate(withoutPoints)).not.toEqual([]);
    expect(validate({ ...gradeResult(lab, run(1, 0), { startedAt }), score: 3 })).not.toEqual([]);
  });

  test('when points are shared out, then they are whole, rounded down, and full only when nothing failed', () => {
    expect(pointsEarned(10, 0, 0, 0)).toBe(0);
    expect(pointsEarned(10, 5, 0, 0)).toBe(10);
    expect(pointsEarned(10, 1, 2, 0)).toBe(3);
    expect(pointsEarned(10, 19, 1, 0)).toBe(9);
    expect(pointsEarned(10, 2, 0, 2)).toBe(5);
  });
});

describe('the workflow’s points step: a result for GitHub Classroom’s reporter', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kit-grades-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('when checks pass and fail, then each is a test whose scores add up to the points earned, out of the lab’s points', () => {
    const result = gradeResult(lab, run(3, 2), { possible: 10, startedAt });
    const classroom = toClassroomResult(result);
    expect(classroom.max_score).toBe(10);
    expect(classroom.status).toBe('fail');
    expect(classroom.tests.map((t) => t.score)).toEqual([2, 2, 2, 0, 0]);
    expect(classroom.tests.reduce((sum, t) => sum + t.score, 0)).toBe(result.points.earned);
    expect(classroom.tests[3]).toMatchObject({ status: 'fail', name: 'lab 02 · when broken 0, then it holds', message: expect.stringContaining('runs/lab-02-x.md') });
  });

  test('when the earned points do not divide evenly, then the first passing checks take the remainder and the sum stays exact', () => {
    const classroom = toClassroomResult(gradeResult(lab, run(3, 0), { possible: 10, startedAt }));
    expect(classroom.tests.map((t) => t.score)).toEqual([4, 3, 3]);
  });

  test('when the grade wrote nothing, half a file or another lab, then the lab is an error worth no points that says why', () => {
    const missing = classroomResultFromFile(lab, path.join(dir, 'none.json'), 10);
    expect(missing).toMatchObject({ status: 'error', max_score: 10, tests: [{ score: 0, message: expect.stringContaining('was not written') }] });
    writeFileSync(path.join(dir, 'half.json'), '{"version": 1, "lab": {');
    expect(classroomResultFromFile(lab, path.join(dir, 'half.json'), 10).tests[0]?.message).toContain('stopped before it printed its result');
    const other = loadLabs().find((l) => l.id === '03')!;
    writeFileSync(path.join(dir, 'other.json'), JSON.stringify(gradeResult(other, run(1, 0), { possible: 10, startedAt })));
    expect(classroomResultFromFile(lab, path.join(dir, 'other.json'), 10).tests[0]?.message).toContain("lab 03's grade");
  });

  test('when the file holds this lab’s grade, then the step’s result is that grade’s, points included', () => {
    writeFileSync(path.join(dir, '02.json'), JSON.stringify(gradeResult(lab, run(1, 1), { possible: 10, startedAt })));
    const classroom = classroomResultFromFile(lab, path.join(dir, '02.json'), 10);
    expect(classroom.tests.reduce((sum, t) => sum + t.score, 0)).toBe(5);
  });
});
