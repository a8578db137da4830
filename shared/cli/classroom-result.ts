import { existsSync, readFileSync } from 'node:fs';
import { GradeResult } from './grade-result.ts';
import type { Lab } from './manifest.ts';

/**
 * The result format GitHub Classroom's grading reporter reads from each runner step (its `result` output,
 * base64-encoded JSON, as classroom-resources/autograding-command-grader writes it). The reporter adds up
 * `max_score` per runner and `score` per test, so a test's score must be 0 when it did not pass.
 */
export interface ClassroomRunnerResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: Array<{ name: string; status: 'pass' | 'fail' | 'error'; score: number; message: string; test_code: string; filename: string; line_no: number; duration: number }>;
}

/**
 * One lab's grade as the reporter's runner result: one test per check, the lab's earned points shared out in
 * whole points over the checks that passed (the first ones get the remainder), so the scores add up to
 * exactly `points.earned`. Problems outside any check and a grader that could not run appear as failed tests.
 */
export function toClassroomResult(result: GradeResult): ClassroomRunnerResult {
  const command = `npm run grade -- ${result.lab.id}`;
  const passing = result.checks.filter((c) => c.status === 'pass').length;
  const share = passing === 0 ? 0 : Math.floor(result.points.earned / passing);
  let remainder = passing === 0 ? 0 : result.points.earned - share * passing;
  const tests: ClassroomRunnerResult['tests'] = result.checks.map((check) => {
    let score = 0;
    if (check.status === 'pass') {
      score = share + (remainder > 0 ? 1 : 0);
      remainder -= 1;
    }
    const timeline = check.timeline ? `\nwhat crossed the wire: ${check.timeline} (in the grades-and-timelines artifact)` : '';
    return { name: `lab ${result.lab.id} · ${check.name}`, status: check.status, score, message: `${check.message ?? ''}${timeline}`, test_code: command, filename: check.file, line_no: 0, duration: check.durationMs };
  });
  for (const error of result.errors) {
    tests.push({ name: `lab ${result.lab.id} · a test file did not load`, status: 'fail', score: 0, message: error, test_code: command, filename: '', line_no: 0, duration: 0 });
  }
  if (result.couldNotRun) {
    const message = `${result.couldNotRun.reason}\nfix: ${result.couldNotRun.fix}`;
    tests.push({ name: `lab ${result.lab.id} · the grader could not run`, status: 'error', score: 0, message, test_code: command, filename: '', line_no: 0, duration: result.durationMs });
  }
  return { version: 1, status: result.status, max_score: result.points.possible, tests };
}

/** When the grade left no readable result (it was stopped at its time limit, or crashed): no points, and why. */
export function missingResult(lab: Lab, possible: number, why: string): ClassroomRunnerResult {
  return {
    version: 1,
    status: 'error',
    max_score: possible,
    tests: [{ name: `lab ${lab.id} · the grader did not finish`, status: 'error', score: 0, message: why, test_code: `npm run grade -- ${lab.id}`, filename: '', line_no: 0, duration: 0 }],
  };
}

/** Reads `npm run grade -- NN --json`'s file; whatever is wrong with it becomes a result worth no points. */
export function classroomResultFromFile(lab: Lab, file: string, possible: number): ClassroomRunnerResult {
  if (!existsSync(file)) return missingResult(lab, possible, `${file} was not written: the grade did not start`);
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return missingResult(lab, possible, `the grade was stopped before it printed its result (time limit?); it printed ${text.length} characters of ${file}`);
  }
  const parsed = GradeResult.safeParse(json);
  if (!parsed.success) return missingResult(lab, possible, `${file} is not a grade result: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  if (parsed.data.lab.id !== lab.id) return missingResult(lab, possible, `${file} holds lab ${parsed.data.lab.id}'s grade, not lab ${lab.id}'s`);
  if (parsed.data.points.possible !== possible) return missingResult(lab, possible, `${file} was graded out of ${parsed.data.points.possible} points, the workflow says ${possible}`);
  return toClassroomResult(parsed.data);
}

/** The line a workflow step appends to $GITHUB_OUTPUT: `result=<base64 JSON>`, as the reporter expects. */
export function githubOutputLine(result: ClassroomRunnerResult): string {
  return `result=${Buffer.from(JSON.stringify(result)).toString('base64')}`;
}
