import { defineConfig } from 'vitest/config';
import KitSequencer from './shared/harness/file-order.ts';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'labs/**/*.test.ts', 'site/plugins/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.kit/**', 'site/build/**'],
    globalSetup: ['shared/harness/global-setup.ts'],
    // Under `npm run verify`, a mutant's run stops starting checks once one caught it. When a check fails,
    // what the services it started said, and where messages waited in RabbitMQ, are attached to it for the
    // grade reporter.
    setupFiles: ['shared/harness/mutant-bail.ts', 'shared/harness/service-output-on-failure.ts', 'shared/harness/queues-on-failure.ts'],
    // Chaos tests create a thousand orders while crashing services: generous, so a busy machine is not a failure.
    // Every wait inside a test has its own, shorter deadline with a message.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Each test file runs in its own process with its own namespace, so files may run in parallel.
    pool: 'forks',
    // Grader files mostly wait on child processes, databases and the broker, not on the CPU: run more files
    // at once than vitest's default (cores - 1, a single worker on a two-core machine). KIT_WORKERS overrides.
    maxWorkers: Number(process.env.KIT_WORKERS ?? 3),
    // Under verify, a run that stops at its first failure starts the quickest files first (see file-order.ts).
    sequence: { sequencer: KitSequencer },
  },
});
