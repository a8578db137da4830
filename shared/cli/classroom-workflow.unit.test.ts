import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../harness/mutants.ts';
import { classroomWorkflow, protectedPaths, WORKFLOW_FILE } from './classroom-workflow.ts';
import { DEFAULT_LAB_POINTS } from './grade-result.ts';
import { loadLabs } from './manifest.ts';
import { schemaValidator } from './schema-validator.ts';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}
const labs = loadLabs();
const text = readFileSync(path.join(REPO_ROOT, WORKFLOW_FILE), 'utf8');
const workflow = parse(text) as { jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const protectStep = steps.find((s) => s.name?.startsWith('Refuse a submission'))!;

describe('the GitHub Classroom workflow', () => {
  test('when it is checked against the GitHub workflow schema (SchemaStore, vendored), then it is valid', () => {
    const validate = schemaValidator('shared/vendor/schemas/github-workflow.json');
    expect(validate(workflow)).toEqual([]);
    // The validator is not vacuous: a job without runs-on, or a misspelt key, is refused.
    expect(validate(parse(text.replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest')))).not.toEqual([]);
    expect(validate(parse(text.replace("'on':", "'onn':")))).not.toEqual([]);
  });

  test('when an instructor picks some labs and their points, then the workflow grades just those and is still valid', () => {
    const picked = labs.filter((l) => ['02', '02b'].includes(l.id));
    const subset = parse(classroomWorkflow(picked, { points: () => 25 })) as typeof workflow;
    expect(schemaValidator('shared/vendor/schemas/github-workflow.json')(subset)).toEqual([]);
    const subsetSteps = Object.values(subset.jobs).flatMap((job) => job.steps);
    expect(subsetSteps.filter((s) => s.uses?.includes('command-grader')).map((s) => s.with?.command)).toEqual([
      'npm run --silent grade -- 02 --json --points 25 > .kit/grades/02.json',
      'npm run --silent grade -- 02b --json --points 25 > .kit/grades/02b.json',
    ]);
    expect(subsetSteps.find((s) => s.uses?.includes('grading-reporter'))?.with?.runners).toBe('lab_02,lab_02b');
  });

  test('when the manifest changes, then the committed workflow must be generated again', () => {
    const expected = classroomWorkflow(labs, { points: () => DEFAULT_LAB_POINTS });
    expect(text === expected, `${WORKFLOW_FILE} is out of date with labs/manifest.json: run \`npm run classroom -- workflow\``).toBe(true);
  });

  test('when it grades, then every lab of the manifest has a command-grader entry whose points reach the reporter, in course order', () => {
    const graders = steps.filter((s) => s.uses?.startsWith('classroom-resources/autograding-command-grader@'));
    expect(graders.map((s) => String(s.with?.command).match(/grade -- (\w+) --json/)?.[1])).toEqual(labs.map((l) => l.id));
    const reporter = steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter@'))!;
    const runners = String(reporter.with?.runners).split(',');
    expect(runners).toEqual(labs.map((l) => `lab_${l.id}`));
    for (const runner of runners) {
      expect(steps.some((s) => s.id === runner && s.run?.includes('classroom -- result')), `a step with id ${runner} makes its result`).toBe(true);
      expect(reporter.env?.[`${runner.toUpperCase()}_RESULTS`]).toBe(`\${{ steps.${runner}.outputs.result }}`);
    }
  });

  test('when it starts the services, then they come from the repository’s docker-compose.yml, before anything is graded', () => {
    const compose = steps.findIndex((s) => s.run?.startsWith('docker compose up'));
    const firstGrade = steps.findIndex((s) => s.uses?.includes('command-grader'));
    expect(compose).toBeGreaterThan(0);
    expect(compose).toBeLessThan(firstGrade);
    expect(steps.findIndex((s) => s === protectStep)).toBeLessThan(compose);
  });

  test('when a grade fails, then the JSON results and the runs/ timelines are still uploaded', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@')) as Step & { if?: string };
    expect(upload.if).toBe('always()');
    expect(String(upload.with?.path)).toContain('runs/');
    expect(String(upload.with?.path)).toContain('.kit/grades/');
  });
});

// The protection step's own script, run here in a scratch repository that plays a learner's: its first commit
// is the template, later commits are the learner's.
describe('the workflow’s protection of the graders', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'kit-classroom-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const lab = labs[labs.length - 1]!;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.com' } });
  const put = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), content);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
  };
  /** As GitHub Actions runs a `run:` script: bash with -e and pipefail, in the checkout. */
  const runProtection = () => spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', protectStep.run!], { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH } });

  git('init', '-q', '-b', 'main');
  put(`labs/${lab.folder}/grader/saga.int.test.ts`, 'test("when ..., then ...")\n');
  put(`labs/${lab.folder}/order-service/index.ts`, '// TODO(lab)\n');
  put('shared/harness/world.ts', 'export {}\n');
  put('package.json', '{}\n');
  commit('Initial commit (the template)');

  test('when the learner changed only their lab’s code, then the step passes and says what it compared with', () => {
    put(`labs/${lab.folder}/order-service/index.ts`, '// done\n');
    put(`labs/${lab.folder}/order-service/notes.md`, 'my notes\n');
    commit('my work');
    const run = runProtection();
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("The graders and the harness are the template's (compared with this repository's first commit");
  });

  test('when a grader was changed, then the step fails, names the file and says how to put it back', () => {
    put(`labs/${lab.folder}/grader/saga.int.test.ts`, 'test.skip("when ..., then ...")\n');
    commit('make it pass');
    const run = runProtection();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error title=A grader or the harness was changed::');
    expect(run.stdout).toContain(`  labs/${lab.folder}/grader/saga.int.test.ts`);
    expect(run.stdout).toMatch(/Put each one back with: git checkout [0-9a-f]{40} -- <file>/);
    git('checkout', 'HEAD~1', '--', `labs/${lab.folder}/grader`);
    commit('put the grader back');
    expect(runProtection().status).toBe(0);
  });

  test('when the harness was changed or a check was added to a grader, then the step fails too', () => {
    put('shared/harness/world.ts', 'export const lenient = true;\n');
    put(`labs/${lab.folder}/grader/extra.int.test.ts`, 'test("free points")\n');
    commit('help myself');
    const run = runProtection();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('  shared/harness/world.ts');
    expect(run.stdout).toContain(`  labs/${lab.folder}/grader/extra.int.test.ts`);
  });

  test('when the protected paths are listed, then every lab’s grader, the harness and the runner’s configuration are among them', () => {
    const paths = protectedPaths(labs);
    for (const each of labs) expect(paths).toContain(`labs/${each.folder}/grader`);
    expect(paths).toEqual(expect.arrayContaining(['shared', 'labs/manifest.json', 'package.json', 'package-lock.json', 'vitest.config.ts']));
    expect(protectStep.run).toContain(paths.join(' '));
  });
});
