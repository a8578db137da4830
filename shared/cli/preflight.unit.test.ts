import { afterEach, describe, expect, test, vi } from 'vitest';
import { grade } from './grade.ts';
import { findLab, loadLabs } from './manifest.ts';
import { preflight } from './preflight.ts';

const labs = loadLabs();
const answering = (level: string) => ({ walLevel: async () => level });

afterEach(() => vi.restoreAllMocks());

describe('checks before a grader starts', () => {
  test('when lab 02b is graded and PostgreSQL answers wal_level=replica, then it is missing; other labs do not ask', async () => {
    expect(await preflight(findLab(labs, '02b'), answering('replica'))).toMatchObject({ reason: expect.stringContaining('wal_level=logical') });
    expect(await preflight(findLab(labs, '02b'), answering('logical'))).toBeUndefined();
    expect(await preflight(findLab(labs, '02'), answering('replica'))).toBeUndefined();
  });

  test('when PostgreSQL cannot be asked, then the check steps aside for the grader’s own setup', async () => {
    expect(await preflight(findLab(labs, '02b'), { walLevel: async () => undefined })).toBeUndefined();
  });

  test('when `grade 02b` runs on a server without wal_level=logical, then it stops at once with one line naming the setting and the fix', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const started = Date.now();
    const exitCode = await grade(labs, ['02b'], { probes: answering('replica') });
    expect(exitCode).toBe(1);
    // No vitest was started: a run of lab 02b's grader takes minutes.
    expect(Date.now() - started).toBeLessThan(2_000);
    const output = printed.join('\n');
    expect(output).toContain('COULD NOT RUN  lab 02b: the grader could not run: PostgreSQL runs with wal_level=replica');
    expect(output).toContain('fix: psql -U postgres -c "ALTER SYSTEM SET wal_level = logical" and restart PostgreSQL');
    expect(output).not.toMatch(/0 of 0/);
  });
});
