import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import { capturedRunFile, cleanTranscript, parseRun, type RunKind } from './captured-runs.ts';
import { findLab, type Lab } from './manifest.ts';

/**
 * Which tree each run grades, and what the run must end with to be worth showing. The starter goes first: a
 * figure a grader keeps for later labs (lab 01's availability, which lab 03 prints beside its own) is then
 * the solution's, as it would be on the machine of a learner who finished the lab.
 */
const RUNS: Array<{ kind: RunKind; tree: 'solutions' | 'labs'; verdict: 'PASS' | 'NOT YET' }> = [
  { kind: 'fail', tree: 'labs', verdict: 'NOT YET' },
  { kind: 'pass', tree: 'solutions', verdict: 'PASS' },
];

/**
 * `npm run capture-runs [-- 01 02b ...]` (maintainers): runs `npm run grade -- NN` on the untouched starter
 * and on the reference solution of each lab (every lab of the manifest by default), and writes what the
 * terminal showed to site/docs/labs/_runs/NN-pass.txt and NN-fail.txt, which the lab's page includes.
 * A run that does not end as expected (the solution not passing, say) is not written: the page keeps the
 * last good capture and the command exits 1. Heavy: it starts every service the graders start.
 */
export async function captureRuns(labs: Lab[], args: string[]): Promise<number> {
  const selected = args.length > 0 ? args.map((a) => findLab(labs, a)) : labs;
  mkdirSync(path.join(REPO_ROOT, path.dirname(capturedRunFile('00', 'pass'))), { recursive: true });
  let failures = 0;
  for (const lab of selected) {
    for (const run of RUNS) {
      const command = `npm run grade -- ${lab.id}`;
      console.log(`lab ${lab.id}: ${command} on ${run.tree}/ ...`);
      const { stdout, stderr, exitCode } = await gradeInChild(lab, run.tree);
      const transcript = cleanTranscript(stdout, command);
      const verdict = parseRun(transcript).verdict?.kind;
      const file = capturedRunFile(lab.id, run.kind);
      if (verdict !== run.verdict || (run.verdict === 'PASS') !== (exitCode === 0)) {
        failures += 1;
        console.log(`  NOT WRITTEN ${file}: expected "${run.verdict}", the run ended with ${verdict ? `"${verdict}"` : 'no verdict'} (exit ${exitCode})`);
        console.log(indent(`${stdout}\n${stderr}`.trim()));
        continue;
      }
      writeFileSync(path.join(REPO_ROOT, file), transcript);
      console.log(`  wrote ${file} (${transcript.split('\n').filter((l) => /^ {2}[✓✗] /.test(l)).length} checks, ${verdict})`);
    }
  }
  console.log(failures === 0 ? '\nEvery run captured. Commit site/docs/labs/_runs/ with the change that altered them.' : `\n${failures} run(s) not captured.`);
  return failures === 0 ? 0 : 1;
}

/**
 * The real command, in its own process, as a learner's terminal would show it. The learner's progress file
 * is left alone: a captured run is the kit's, not the learner's.
 */
async function gradeInChild(lab: Lab, tree: 'solutions' | 'labs'): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'kit-capture-'));
  try {
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const child = spawn(process.execPath, [tsx, 'shared/cli/kit.ts', 'grade', lab.id], {
      cwd: REPO_ROOT,
      env: { ...process.env, KIT_GRADE_TREE: tree, KIT_PROGRESS_FILE: path.join(scratch, 'progress.json'), FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(1));
      child.once('exit', (code) => resolve(code ?? 1));
    });
    return { stdout, stderr, exitCode };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
