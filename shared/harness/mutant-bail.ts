import { existsSync, writeFileSync } from 'node:fs';
import { beforeEach } from 'vitest';
import { stopsAtFirstFailure } from './mutant-caught.ts';

/**
 * A mutant run (`npm run verify`) asks one question: does the grader catch this mistake? The first failing
 * check answers it, so once one check failed anywhere in the run, the checks not started yet are skipped.
 * Unlike vitest's `bail`, which ends the other files' processes mid-test, every file still runs its
 * `afterAll`, so no namespace is left behind. verify's run of the starter stops the same way (it only has to
 * fail); a learner's run (labs/) and the solution's run every check.
 */
const report = process.env.KIT_REPORT_FILE;
if (stopsAtFirstFailure() && report) {
  const caught = `${report}.caught`;
  beforeEach((context) => {
    if (existsSync(caught)) context.skip('the mutant is already caught by another check');
    context.onTestFailed(() => writeFileSync(caught, context.task.name));
  });
}
