import { describe, expect, test } from 'vitest';
import { LabTodo, labPageUrl } from '../platform/todo.ts';
import { walLevelProblem } from '../platform/wal-level.ts';
import { couldNotRunReason } from './could-not-run.ts';
import { findLab, loadLabs } from './manifest.ts';

const labs = loadLabs();

describe("what the kit tells a learner when something is not there yet", () => {
  test('when starter code throws LabTodo, then its message links to the lab’s own page from the manifest', () => {
    expect(new LabTodo('02', 'relayBatch').message).toBe(
      'lab 02 is not done yet: relayBatch (read http://localhost:3000/labs/02-outbox and run `npm run hint -- 02`)',
    );
    expect(labPageUrl('02b')).toBe('http://localhost:3000/labs/02b-log-tailing');
    expect(labPageUrl('99')).toBe('http://localhost:3000/labs/');
  });

  test('when PostgreSQL answers wal_level=replica, then the problem names the setting and the fix, and logical is fine', () => {
    const problem = walLevelProblem('replica')!;
    expect(problem.reason).toBe('PostgreSQL runs with wal_level=replica, but tailing the write-ahead log (lab 02b) needs wal_level=logical.');
    expect(problem.fix).toContain('ALTER SYSTEM SET wal_level = logical');
    expect(problem.fix).toContain('restart PostgreSQL');
    expect(walLevelProblem('logical')).toBeUndefined();
  });

  test('when vitest’s global setup threw, then the reason is the error’s first line and the fix its "Fix" line', () => {
    const stderr = [
      '',
      '\u001b[31m⎯⎯⎯⎯⎯⎯\u001b[39m\u001b[1m\u001b[41m Unhandled Error \u001b[49m\u001b[22m',
      '\u001b[31m\u001b[1mError\u001b[22m: Could not reach RabbitMQ at 127.0.0.1:1, where AMQP_URL points.',
      'Fix: start RabbitMQ there, or unset AMQP_URL to use 127.0.0.1 (then `npm run doctor`).\u001b[39m',
      '\u001b[36m \u001b[2m❯\u001b[22m setup shared/harness/global-setup.ts:\u001b[2m21:13\u001b[22m\u001b[39m',
    ].join('\n');
    expect(couldNotRunReason(stderr, findLab(labs, '00'), 1)).toEqual({
      reason: 'Could not reach RabbitMQ at 127.0.0.1:1, where AMQP_URL points.',
      fix: 'start RabbitMQ there, or unset AMQP_URL to use 127.0.0.1 (then `npm run doctor`).',
    });
  });

  test('when vitest found no test file, then the fix restores the grader', () => {
    const why = couldNotRunReason('No test files found, exiting with code 1\n', findLab(labs, '01'), 1);
    expect(why).toEqual({ reason: 'there is no test file in labs/01-sync-mesh/grader', fix: 'restore it with `git checkout -- labs/01-sync-mesh/grader`' });
  });

  test('when vitest said nothing useful, then the reason still names the exit code and the fix how to see more', () => {
    const why = couldNotRunReason('', findLab(labs, '00'), 137);
    expect(why.reason).toBe('vitest exited with code 137 without running a check');
    expect(why.fix).toContain('npx vitest run labs/00-setup/grader');
  });
});
