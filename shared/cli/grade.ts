import { watch } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import { docsUrl, findLab, UsageError, type Lab } from './manifest.ts';
import type { PreflightProbes } from './preflight.ts';
import { updateProgress } from './progress.ts';
import { passed, runGrader } from './run-grader.ts';

export interface GradeOptions {
  /** What the pre-grading checks ask of the machine; tests pass their own answers. */
  probes?: PreflightProbes;
  /** Stops watch mode; by default Ctrl-C (SIGINT) or SIGTERM does. */
  signal?: AbortSignal;
}

/** `npm run grade -- <lab> [--watch] [--runs N]`: grades the learner's tree (labs/) and remembers the result. */
export async function grade(labs: Lab[], args: string[], options: GradeOptions = {}): Promise<number> {
  const lab = findLab(labs, args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs'));
  const runsIndex = args.indexOf('--runs');
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1;
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs takes a whole number of runs, for example `npm run grade -- 01 --runs 5`');
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

type Verdict = 'pass' | 'not yet' | 'could not run' | 'stopped';

async function gradeOnce(lab: Lab, suffix: string, { probes, signal }: GradeOptions): Promise<Verdict> {
  console.log(`\nLab ${lab.id}: ${lab.title}${suffix}`);
  // `npm run capture-runs` grades the reference solution too, to show a passing run on the lab's page.
  const tree = process.env.KIT_GRADE_TREE === 'solutions' ? 'solutions' : 'labs';
  const result = await runGrader(lab, tree, { probes, signal });
  if (signal?.aborted) return 'stopped';
  const seconds = `${(result.ms / 1000).toFixed(1)} s`;
  if (result.couldNotRun) {
    // Not "0 of 0 checks fail": nothing was graded, and the learner's code is not the reason.
    console.log(`\nCOULD NOT RUN  lab ${lab.id}: the grader could not run: ${result.couldNotRun.reason}\n  fix: ${result.couldNotRun.fix}`);
    return 'could not run';
  }
  const ok = passed(result);
  const { passed: p, failed: f } = result.report;
  console.log(
    ok
      ? `\nPASS  lab ${lab.id}: all ${p} checks pass (${seconds})`
      : `\nNOT YET  lab ${lab.id}: ${f} of ${p + f} checks fail (${seconds})\nRead ${docsUrl(lab)} (npm start serves it) · next hint: npm run hint -- ${lab.id}`,
  );
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
