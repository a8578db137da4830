import { existsSync } from 'node:fs';

/**
 * Under `npm run verify`, whether another check already caught the mutant this run grades (mutant-bail.ts
 * records it): the run's verdict is known, so a grader may skip expensive work, such as starting a world
 * whose checks will all be skipped, or creating the rest of a chaos run's orders. Always false for a
 * learner's run and for the solution's.
 */
export function mutantAlreadyCaught(env: NodeJS.ProcessEnv = process.env): boolean {
  const report = env.KIT_REPORT_FILE;
  return Boolean(report && env.KIT_TARGET?.startsWith('mutant:') && existsSync(`${report}.caught`));
}
