import { existsSync } from 'node:fs';

/**
 * Whether this run only has to answer "does any check fail?": a mutant's run under `npm run verify`, and the
 * starter's there too (verify sets KIT_BAIL=1: the untouched starter must fail, and one failing check says
 * so). A learner's run (labs/ through `npm run grade`) and the solution's run every check.
 */
export function stopsAtFirstFailure(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KIT_REPORT_FILE && (env.KIT_TARGET?.startsWith('mutant:') || env.KIT_BAIL === '1'));
}

/**
 * In such a run, whether another check already failed (mutant-bail.ts records it): the run's verdict is
 * known, so a grader may skip expensive work, such as starting a world whose checks will all be skipped, or
 * creating the rest of a chaos run's orders. Always false for a learner's run and for the solution's.
 */
export function mutantAlreadyCaught(env: NodeJS.ProcessEnv = process.env): boolean {
  return stopsAtFirstFailure(env) && existsSync(`${env.KIT_REPORT_FILE}.caught`);
}
