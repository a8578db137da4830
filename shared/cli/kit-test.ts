import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';
import { verifyLab } from './verify.ts';

interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
}

/**
 * `npm test`: every check of the kit, in the order a failure is cheapest to see, as CI runs it.
 * `--only <step>` runs one step (typecheck, kit, graders, site) while working on the kit.
 */
export async function runKitTests(labs: Lab[], args: string[]): Promise<number> {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const results: StepResult[] = [];
  const step = async (name: string, group: string, work: () => Promise<boolean>) => {
    if (only && only !== group) return;
    console.log(`\n▶ ${name}`);
    const started = Date.now();
    let ok = false;
    try {
      ok = await work();
    } catch (error) {
      console.log(`  ${(error as Error).message}`);
    }
    const ms = Date.now() - started;
    results.push({ name, ok, ms });
    console.log(`${ok ? '✓' : '✗'} ${name} (${(ms / 1000).toFixed(1)} s)`);
  };

  await step('typecheck', 'typecheck', () => run('npx', ['tsc', '-p', 'tsconfig.json']));
  await step("the kit's own unit and integration tests (shared/, site plugins)", 'kit', () => run('npx', ['vitest', 'run', 'shared', 'site/plugins']));
  for (const lab of labs) {
    await step(`lab ${lab.id}: grader passes on the solution, fails on the starter and every mutant`, 'graders', async () => {
      const verdicts = await verifyLab(lab, (r) => console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.target.padEnd(24)} expected to ${r.expected}: ${r.detail} (${(r.ms / 1000).toFixed(1)} s)`));
      return verdicts.every((v) => v.ok);
    });
  }
  await step('site build (a broken link fails it)', 'site', () => run('npm', ['run', 'build', '--workspace', 'site']));
  await step('a page with a broken link does fail the site build', 'site', () => run('npx', ['tsx', 'site/scripts/broken-link-probe.ts']));
  await step('browser test of the built site (chromium)', 'site', () => run('npx', ['tsx', 'site/scripts/browser-check.ts']));
  await step("browser test of the learner's progress under npm start: a failing grade, then a passing one (chromium)", 'site', () =>
    run('npx', ['tsx', 'site/scripts/progress-check.ts']),
  );

  const failed = results.filter((r) => !r.ok);
  console.log('\nSummary');
  for (const r of results) console.log(`  ${r.ok ? '✓' : '✗'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`);
  console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 && results.length > 0 ? 0 : 1;
}

function run(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit', env: process.env });
    child.once('exit', (code) => resolve(code === 0));
    child.once('error', () => resolve(false));
  });
}
