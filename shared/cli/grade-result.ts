import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';
import { passed, type GraderRun } from './run-grader.ts';

/**
 * What `npm run grade -- NN --json` prints: one lab's grade, for machines (the GitHub Classroom workflow, an
 * instructor's script). Fields are only ever added; a change that removes or renames one raises `version`.
 * grade-result.schema.json is generated from this schema (`npm run classroom -- schema`) and a test keeps
 * the two equal, so the published JSON Schema is never out of date.
 */
export const GradeResult = z
  .object({
    version: z.literal(1).describe('Format version; raised only when a field is removed or changes meaning.'),
    lab: z.object({ id: z.string(), folder: z.string(), title: z.string() }).strict().describe('The lab, as labs/manifest.json names it.'),
    status: z
      .enum(['pass', 'fail', 'error'])
      .describe('pass: every check ran and passed. fail: a check failed, or a test file could not load. error: the grader could not run at all (see couldNotRun).'),
    checks: z
      .array(
        z
          .object({
            name: z.string().describe('The check’s title, as the grader prints it ("when ..., then ...").'),
            file: z.string().describe('The grader file, relative to the repository root.'),
            status: z.enum(['pass', 'fail']),
            message: z.string().optional().describe('For a failed check: what behaviour is missing, in the learner’s words.'),
            timeline: z.string().optional().describe('For a failed check: the runs/ file with what crossed the wire, relative to the repository root.'),
            durationMs: z.number().int().nonnegative(),
          })
          .strict(),
      )
      .describe('Every check that ran, in the order they finished.'),
    errors: z.array(z.string()).describe('Problems outside any check: a test file that does not load, a hook that threw. Each counts as one failed check for points.'),
    couldNotRun: z.object({ reason: z.string(), fix: z.string() }).strict().optional().describe('Set when no check ran: why, and the one thing to do.'),
    notes: z.array(z.string()).describe('Figures the grader printed ("lab NN: ...").'),
    points: z
      .object({
        earned: z.number().int().nonnegative(),
        possible: z.number().int().positive(),
      })
      .strict()
      .describe('earned = floor(possible × passed checks ÷ (checks + errors)); all of possible only when status is pass.'),
    startedAt: z.string().describe('When grading started (ISO 8601, UTC).'),
    durationMs: z.number().int().nonnegative().describe('Wall time of the whole grade, services included.'),
  })
  .strict()
  .describe('One lab graded by `npm run grade -- NN --json`.');

export type GradeResult = z.infer<typeof GradeResult>;

/** A lab is worth this many points unless `--points N` says otherwise. */
export const DEFAULT_LAB_POINTS = 10;

/**
 * Points follow the checks that pass. Whole points, rounded down, so that only a lab whose grader passes
 * completely earns all of them; a test file that does not load counts as a failed check (its own checks are
 * unknown), so breaking a file's imports cannot raise the share of the checks that did run.
 */
export function pointsEarned(possible: number, passedChecks: number, failedChecks: number, errors: number): number {
  const total = passedChecks + failedChecks + errors;
  if (total === 0) return 0;
  if (failedChecks === 0 && errors === 0) return possible;
  return Math.min(possible - 1, Math.floor((possible * passedChecks) / total));
}

/** The result of one grader run, in the stable format above. */
export function gradeResult(lab: Lab, run: GraderRun, { possible = DEFAULT_LAB_POINTS, startedAt }: { possible?: number; startedAt: Date }): GradeResult {
  const relative = (file: string) => path.relative(REPO_ROOT, file);
  const failure = (title: string, file: string) => run.report.failures.find((f) => f.title === title && f.file === file);
  const checks = run.report.checks.map((check) => {
    const why = check.passed ? undefined : failure(check.title, check.file);
    return {
      name: check.title,
      file: relative(check.file),
      status: check.passed ? ('pass' as const) : ('fail' as const),
      ...(why ? { message: why.message } : check.passed ? {} : { message: 'failed without a message' }),
      ...(why?.timeline ? { timeline: relative(why.timeline) } : {}),
      durationMs: check.ms,
    };
  });
  const passedCount = checks.filter((c) => c.status === 'pass').length;
  const failedCount = checks.length - passedCount;
  const status = run.couldNotRun ? 'error' : passed(run) ? 'pass' : 'fail';
  return {
    version: 1,
    lab: { id: lab.id, folder: lab.folder, title: lab.title },
    status,
    checks,
    errors: run.report.errors,
    ...(run.couldNotRun ? { couldNotRun: run.couldNotRun } : {}),
    notes: run.report.notes,
    points: {
      earned: status === 'pass' ? possible : status === 'error' ? 0 : Math.min(possible - 1, pointsEarned(possible, passedCount, failedCount, run.report.errors.length)),
      possible,
    },
    startedAt: startedAt.toISOString(),
    durationMs: run.ms,
  };
}

/** The JSON Schema of GradeResult, as committed in grade-result.schema.json. */
export function gradeResultJsonSchema(): object {
  return { ...z.toJSONSchema(GradeResult, { target: 'draft-7' }), title: 'Lab grade (npm run grade -- NN --json)' };
}
