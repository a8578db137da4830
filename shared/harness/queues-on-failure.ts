import { beforeEach } from 'vitest';
import { describeWatchedQueues } from './queue-report.ts';

/**
 * A setup file of every test run (vitest.config.ts): when a check fails while a world runs, the queues of
 * its namespace are attached to the check, where the grade reporter prints them under the failure. Only a
 * failure pays for it (one management API call, at most 2 s, errors turned into one line); a passing check
 * registers the callback and nothing else. A world a file stops in afterEach is gone before this runs
 * (vitest calls onTestFailed after afterEach): the graders keep theirs until afterAll.
 */
beforeEach((context) => {
  context.onTestFailed(async () => {
    const report = await describeWatchedQueues().catch(() => undefined);
    if (report) (context.task.meta as { queues?: string }).queues = report;
  });
});
