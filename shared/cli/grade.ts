import { watch } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import { docsUrl, findLab, UsageError, type Lab } from './manifest.ts';
import { recordLastRun } from './last-run.ts';
import type { PreflightProbes } from './preflight.ts';
import { updateProgress } from './progress.ts';
import { DEFAULT_LAB_POINTS, gradeResult } from './grade-result.ts';
import { passed, runGrader, type GraderRun } from './run-grader.ts';

export interface GradeOptions {
  /** What the pre-grading checks ask of the machine; tests pass their own answers. */
  probes?: PreflightProbes;
  /** Stops watch mode; by default Ctrl-C (SIGINT) or SIGTERM does. */
  signal?: AbortSignal;
}

/** Options that take a value: the word after them is not the lab. */
const VALUED = ['--runs', '--points', '--reporter'];

/**
 * `npm run grade -- <lab> [--watch] [--runs N] [--json [--points N]]`: grades the learner's tree (labs/) and
 * remembers the result. With `--json` (or `--reporter json`) stdout carries only the result (grade-result.ts),
 * and everything a person reads goes to stderr.
 */
export async function grade(labs: Lab[], args: string[], options: GradeOptions = {}): Promise<number> {
  const lab = findLab(labs, args.find((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? '')));
  const runs = wholeNumber(args, '--runs', 1, 'runs, for example `npm run grade -- 01 --runs 5`');
  const reporter = args.includes('--reporter') ? args[args.indexOf('--reporter') + 1] : undefined;
  if (reporter !== undefined && reporter !== 'json') throw new UsageError(`--reporter takes json (the only other reporter is the default one, for people), not ${JSON.stringify(reporter ?? '')}`);
  if (args.includes('--json') || reporter === 'json') {
    if (args.includes('--watch') || runs > 1) throw new UsageError('--json grades once: leave out --watch and --runs, for example `npm run grade -- 01 --json`');
    return gradeToJson(lab, wholeNumber(args, '--points', DEFAULT_LAB_POINTS, 'points the lab is worth, for example `npm run grade -- 01 --json --points 20`'), options);
  }
  if (args.includes('--points')) throw new UsageError('--points goes with --json, for example `npm run grade -- 01 --json --points 20`');
  if (args.includes('--watch')) return watchLab(lab, options);

  let passes = 0;
  for (let run = 1; run <= runs; run++) {
    const verdict = await gradeOnce(lab, runs > 1 ? ` (run ${run} of ${runs})` : '', options);
    if (verdict === 'could not run') return 1;
    if (verdict === 'pass') passes += 1;
  }
  if (runs > 1) {
    console.log(`\n${passes} of ${runs} runs passed${passes > 0 && passes < runs ? ': the behaviour is flaky, look for a race or a missing wait' : ''}`);
  }
  return passes === runs ? 0 : 1;
}

function wholeNumber(args: string[], option: string, fallback: number, what: string): number {
  if (!args.includes(option)) return fallback;
  const value = Number(args[args.indexOf(option) + 1]);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${option} takes a whole number of ${what}`);
  return value;
}

/** Grades once and prints the result as JSON on stdout; exit code 0 only when the lab passes. */
async function gradeToJson(lab: Lab, possible: number, options: GradeOptions): Promise<number> {
  const startedAt = new Date();
  let run: GraderRun | undefined;
  const verdict = await gradeOnce(lab, '', { ...options, toStderr: true, onRun: (r) => (run = r) });
  if (run) process.stdout.write(`${JSON.stringify(gradeResult(lab, run, { possible, startedAt }), null, 2)}\n`);
  return verdict === 'pass' ? 0 : 1;
}

type Verdict = 'pass' | 'not yet' | 'could not run' | 'stopped';

interface OnceOptions extends GradeOptions {
  /** Lines for people go to stderr, because stdout carries JSON. */
  toStderr?: boolean;
  onRun?: (run: GraderRun) => void;
}

async function gradeOnce(lab: Lab, suffix: string, { probes, signal, toStderr = false, onRun }: OnceOptions): Promise<Verdict> {
  const say = (line: string) => (toStderr ? console.error(line) : console.log(line));
  say(`\nLab ${lab.id}: ${lab.title}${suffix}`);
  // `npm run capture-runs` grades the reference solution too, to show a passing run on the lab's page.
  const tree = process.env.KIT_GRADE_TREE === 'solutions' ? 'solutions' : 'labs';
  const result = await runGrader(lab, tree, { probes, signal, echoTo: toStderr ? 'stderr' : 'stdout' });
  if (signal?.aborted) return 'stopped';
  onRun?.(result);
  const seconds = `${(result.ms / 1000).toFixed(1)} s`;
  if (result.couldNotRun) {
    // Not "0 of 0 checks fail": nothing was graded, and the learner's code is not the reason.
    say(`\nCOULD NOT RUN  lab ${lab.id}: the grader could not run: ${result.couldNotRun.reason}\n  fix: ${result.couldNotRun.fix}`);
    return 'could not run';
  }
  const ok = passed(result);
  const { passed: p, failed: f } = result.report;
  say(
    ok
      ? `\nPASS  lab ${lab.id}: all ${p} checks pass (${seconds})`
      : `\nNOT YET  lab ${lab.id}: ${f} of ${p + f} checks fail (${seconds})\nRead ${docsUrl(lab)} (npm start serves it) · next hint: npm run hint -- ${lab.id}`,
  );
  // Every check with its message and diagram, for the course site (npm start shows it on the lab's page).
  // Written before progress.json, so that the site, reloading on either change, never sees one without the other.
  recordLastRun(lab.id, result);
  updateProgress(lab.id, (current) => ({
    ...current,
    lastGradedAt: new Date().toISOString(),
    passed: ok || current.passed === true,
    passedAt: ok ? new Date().toISOString() : current.passedAt,
  }));
  return ok ? 'pass' : 'not yet';
}

/** Editors' swap, backup and temporary files: saving a file writes some of these, and they are not the lab. */
function isNoise(file: string): boolean {
  const name = path.basename(file);
  return name.startsWith('.') || name.startsWith('#') || name.endsWith('~') || /\.(swp|swx|tmp)$/.test(name) || /^\d+$/.test(name);
}

/** Files saved within this long count as one change: an editor's save is often several writes. */
const SETTLE_MS = 200;

/**
 * Grades the lab, then again after every change under labs/<folder>. The folder is watched here rather than
 * by vitest: the services run as child processes, outside vitest's module graph, so vitest would not see a
 * change to them. A change during a run is graded once that run ends; Ctrl-C stops the run and the watch.
 */
async function watchLab(lab: Lab, options: GradeOptions): Promise<number> {
  const folder = path.join(REPO_ROOT, 'labs', lab.folder);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  options.signal?.addEventListener('abort', onSignal);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  let changes = 0;
  let lastChanged = `labs/${lab.folder}`;
  let wake = () => {};
  const watcher = watch(folder, { recursive: true }, (_event, file) => {
    if (file && isNoise(file)) return;
    changes += 1;
    if (file) lastChanged = path.join('labs', lab.folder, file);
    wake();
  });
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  /** Waits for a change, then until the folder has been quiet for SETTLE_MS; undefined once stopped. */
  const nextChange = async (): Promise<string | undefined> => {
    while (!stop.signal.aborted) {
      const seen = changes;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        stopped,
        new Promise<void>((resolve) => {
          wake = resolve;
          if (seen > 0) timer = setTimeout(resolve, SETTLE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (seen > 0 && changes === seen) return lastChanged;
    }
    return undefined;
  };

  console.log(`Grading lab ${lab.id} (${lab.title}) now and on every change under labs/${lab.folder}. Ctrl-C to stop.`);
  try {
    while (!stop.signal.aborted) {
      changes = 0;
      await gradeOnce(lab, '', { ...options, signal: stop.signal });
      if (stop.signal.aborted) break;
      if (changes === 0) console.log(`\nWatching labs/${lab.folder}: save a file to grade again.`);
      const file = await nextChange();
      if (file) console.log(`\n── ${new Date().toLocaleTimeString()} ${file} changed: grading again`);
    }
  } finally {
    watcher.close();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    options.signal?.removeEventListener('abort', onSignal);
  }
  console.log('\nStopped watching.');
  return 0;
}
