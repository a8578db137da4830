import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../harness/eventually.ts';
import { REPO_ROOT } from '../harness/mutants.ts';

// `npm run grade` as a learner runs it, in a throwaway copy of the kit, so a test can edit the lab and empty
// a grader without touching the real tree. Lab 00 grades in seconds.
let kit: string;
beforeAll(() => {
  kit = mkdtempSync(path.join(tmpdir(), 'kit-copy-'));
  for (const entry of ['shared', 'labs', 'package.json', 'tsconfig.json', 'vitest.config.ts']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(kit, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(kit, 'node_modules'));
});
afterAll(() => rmSync(kit, { recursive: true, force: true }));

interface Grading {
  child: ChildProcess;
  output(): string;
  exitCode: Promise<number>;
}

function startGrade(args: string[], env: Record<string, string> = {}): Grading {
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli/kit.ts', 'grade', ...args], {
    cwd: kit,
    env: { ...process.env, KIT_PROGRESS_FILE: path.join(kit, '.kit', 'progress.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => output, exitCode };
}

/** Waits until the grade's output says `what`; on a timeout the error quotes everything it printed. */
async function waitFor(grading: Grading, done: (output: string) => boolean, what: string): Promise<void> {
  await eventually(() => done(grading.output()), { timeoutMs: 60_000, description: what }).catch((error: Error) => {
    throw new Error(`${error.message}\noutput so far:\n${grading.output()}`);
  });
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, `${pattern.flags}g`))?.length ?? 0;

describe('the learner’s loop: npm run grade', () => {
  test('when a lab file changes under --watch, then the lab is graded again and the new result is shown', async () => {
    const availability = path.join(kit, 'labs', '00-setup', 'availability.ts');
    const starter = readFileSync(availability, 'utf8');
    const grading = startGrade(['00', '--watch']);
    try {
      await waitFor(grading, (output) => /NOT YET {2}lab 00/.test(output), "the starter's first grade");
      writeFileSync(availability, starter.replace(/throw new LabTodo\([^;]*;/, 'return availabilities.reduce((product, a) => product * a, 1);'));
      await waitFor(grading, (output) => /PASS {2}lab 00/.test(output), 'a second grade, passing, after the fix was saved');
      expect(grading.output()).toContain('labs/00-setup/availability.ts changed: grading again');
      writeFileSync(availability, starter);
      await waitFor(grading, (output) => count(output, /NOT YET {2}lab 00/) === 2, 'a third grade, failing again, after the starter was restored');
    } finally {
      writeFileSync(availability, starter);
      grading.child.kill('SIGINT');
    }
    expect(await grading.exitCode).toBe(0);
    expect(grading.output()).toContain('Stopped watching.');
    expect(count(grading.output(), /^Lab 00: /m), 'one grade per save, no regrade caused by the grader itself').toBe(3);
  });

  test('when RabbitMQ does not answer where AMQP_URL points, then grade says the grader could not run, why and the fix', async () => {
    const grading = startGrade(['00'], { AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    expect(await grading.exitCode).toBe(1);
    expect(grading.output()).toContain('COULD NOT RUN  lab 00: the grader could not run: Could not reach RabbitMQ at 127.0.0.1:1, where AMQP_URL points.');
    expect(grading.output()).toContain('  fix: start RabbitMQ there, or unset AMQP_URL');
    expect(grading.output()).not.toMatch(/0 of 0|checks fail/);
  });

  test('when the grader folder holds no test file, then grade says so and how to restore it, not "0 of 0 checks fail"', async () => {
    const grader = path.join(kit, 'labs', '00-setup', 'grader');
    const kept = path.join(kit, 'kept-grader');
    cpSync(grader, kept, { recursive: true });
    rmSync(grader, { recursive: true });
    mkdirSync(grader);
    try {
      const grading = startGrade(['00']);
      expect(await grading.exitCode).toBe(1);
      expect(grading.output()).toContain('COULD NOT RUN  lab 00: the grader could not run: there is no test file in labs/00-setup/grader');
      expect(grading.output()).toContain('fix: restore it with `git checkout -- labs/00-setup/grader`');
      expect(grading.output()).not.toMatch(/0 of 0/);
    } finally {
      rmSync(grader, { recursive: true, force: true });
      cpSync(kept, grader, { recursive: true });
    }
  });
});
