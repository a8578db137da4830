import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { GradeReport } from './grade-reporter.ts';

/** Runs one check of a lab's grader on the untouched starter, through the grade reporter, as `grade` does. */
async function gradeStarterCheck(file: string, checkName: string): Promise<{ printed: string; report: GradeReport }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kit-starter-'));
  const reportFile = path.join(dir, 'report.json');
  try {
    const args = [path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', file, '-t', checkName, '--reporter', path.join(REPO_ROOT, 'shared/cli/grade-reporter.ts')];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, KIT_TARGET: 'labs', KIT_REPORT_FILE: reportFile, KIT_QUIET: '0', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    return { printed, report: JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what a learner sees when a starter fails', () => {
  test('when lab 02’s unwritten relay makes a check fail, then the failure shows its "not done yet" line first, with the lab page, then the services’ last lines', async () => {
    const { printed, report } = await gradeStarterCheck('labs/02-outbox/grader/outbox.int.test.ts', 'two relays run');
    const todo = 'lab 02 is not done yet: relayBatch in labs/02-outbox/relay/relay.ts (read http://localhost:3000/labs/02-outbox and run `npm run hint -- 02`)';

    expect(report.failed, printed).toBe(1);
    const [failure] = report.failures;
    expect(failure!.services?.first).toEqual([`relay-1, relay-2: ${todo}`]);
    expect(failure!.services?.tails).toContain('last lines of relay-1:');
    expect(failure!.services?.tails).toContain('WARN relay batch failed; retrying: lab 02 is not done yet (see above)');
    expect(failure!.services?.tails).toContain('last lines of order-service:');

    // Printed in that order under the failing check: the line to act on, the check's message, the tails.
    const notDone = printed.indexOf(`relay-1, relay-2: ${todo}`);
    const message = printed.indexOf('both events of every order');
    const tails = printed.indexOf('last lines of relay-1:');
    expect(notDone, printed).toBeGreaterThan(printed.indexOf('✗ when two relays run'));
    expect(message, printed).toBeGreaterThan(notDone);
    expect(tails, printed).toBeGreaterThan(message);
  });
});
