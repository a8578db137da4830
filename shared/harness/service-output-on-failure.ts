import { beforeEach } from 'vitest';
import { describeServices, servicesSince, type ServicesReport } from './service-output.ts';

/**
 * A setup file of every test run (vitest.config.ts): when a check fails, what the services that ran during
 * it said is attached to the check, where the grade reporter prints it under the failure.
 */
beforeEach((context) => {
  const since = Date.now();
  context.onTestFailed(() => {
    const report = describeServices(servicesSince(since));
    if (report) (context.task.meta as { services?: ServicesReport }).services = report;
  });
});
