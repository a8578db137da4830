import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../harness/mutants.ts';
import { GRADE_RESULT_SCHEMA_FILE } from './classroom.ts';
import type { GradeResult } from './grade-result.ts';
import { schemaValidator } from './schema-validator.ts';

// `npm run grade -- 00 --json` as the GitHub Classroom workflow runs it, in a throwaway copy of the kit whose
// lab 00 is either the starter or the solution. Lab 00 grades in seconds.
let kit: string;
beforeAll(() => {
  kit = mkdtempSync(path.join(tmpdir(), 'kit-json-'));
  for (const entry of ['shared', 'labs', 'package.json', 'tsconfig.json', 'vitest.config.ts']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(kit, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(kit, 'node_modules'));
});
afterAll(() => rmSync(kit, { recursive: true, force: true }));

const validate = schemaValidator(GRADE_RESULT_SCHEMA_FILE);

function gradeJson(env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli/kit.ts', 'grade', '00', '--json', '--points', '7'], {
      cwd: kit,
      env: { ...process.env, KIT_PROGRESS_FILE: path.join(kit, '.kit', 'progress.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The whole of stdout must be one JSON document: a workflow redirects it to a file and reads that. */
function parsed(stdout: string): GradeResult {
  const result = JSON.parse(stdout) as GradeResult;
  expect(validate(result)).toEqual([]);
  return result;
}

describe('npm run grade -- NN --json', () => {
  test('when the lab is the starter, then stdout is only the JSON result: failed checks with their messages, partial points, exit code 1', async () => {
    const { code, stdout, stderr } = await gradeJson();
    const result = parsed(stdout);
    expect(code).toBe(1);
    expect(result).toMatchObject({ lab: { id: '00' }, status: 'fail' });
    const failed = result.checks.filter((c) => c.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const check of failed) expect(check.message).toContain('lab 00 is not done yet');
    expect(result.points.possible).toBe(7);
    expect(result.points.earned).toBeLessThan(7);
    // What a person reads went to stderr, where the workflow's log shows it.
    expect(stderr).toContain('NOT YET  lab 00');
    expect(stderr).toMatch(/✗ when /);
  });

  test('when the lab is solved, then the result passes with every check and every point, exit code 0', async () => {
    cpSync(path.join(REPO_ROOT, 'solutions', '00-setup', 'availability.ts'), path.join(kit, 'labs', '00-setup', 'availability.ts'));
    try {
      const { code, stdout } = await gradeJson();
      const result = parsed(stdout);
      expect(code).toBe(0);
      expect(result.status).toBe('pass');
      expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
      expect(result.points).toEqual({ earned: 7, possible: 7 });
    } finally {
      cpSync(path.join(REPO_ROOT, 'labs', '00-setup', 'availability.ts'), path.join(kit, 'labs', '00-setup', 'availability.ts'));
    }
  });

  test('when RabbitMQ does not answer, then the result is an error with the reason and the fix, and no point', async () => {
    const { code, stdout } = await gradeJson({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    const result = parsed(stdout);
    expect(code).toBe(1);
    expect(result).toMatchObject({ status: 'error', checks: [], points: { earned: 0, possible: 7 } });
    expect(result.couldNotRun?.reason).toContain('Could not reach RabbitMQ at 127.0.0.1:1');
  });

  test('when --json is asked with --watch, then the command line says what to type instead', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli/kit.ts', 'grade', '00', '--json', '--watch'], { cwd: kit, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
    expect(code).toBe(2);
    expect(stderr).toContain('--json grades once');
  });
});
