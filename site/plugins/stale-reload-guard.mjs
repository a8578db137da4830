// Keeps the dev server's copy of the learner's state in step with .kit/ (used by learner-progress.mjs).
//
// Why it exists: Docusaurus starts one plugin reload per file event and does not queue them (its own source
// says so, in commands/start/utils.js). `npm run grade` writes last-run/<lab>.json and progress.json, and
// `npm run hint` may write progress.json again a second later, while the grade's reloads still run. A reload
// that read the files before the hint can then finish last and leave the page without the hint, until the
// next change. So the plugin compares, once a second, what the site was last generated with against the files;
// when they still differ after a quiet moment, it touches progress.json, which asks for one more reload.
import fs from 'node:fs';
import path from 'node:path';

/** How long a difference may last before a new reload is asked for: the reloads in flight get to finish. */
const QUIET_POLLS = 3;
/** Touches in a row without the site catching up, after which the guard gives up until the files change. */
const MAX_TOUCHES = 5;

/** The learner state the dev server last generated for `pluginName`, or undefined when there is none yet. */
export function generatedState(generatedFilesDir, pluginName) {
  try {
    const globalData = JSON.parse(fs.readFileSync(path.join(generatedFilesDir, 'globalData.json'), 'utf8'));
    return globalData?.[pluginName]?.default;
  } catch {
    return undefined;
  }
}

/**
 * One step of the guard, pure: given whether the site is stale and the counters so far, what to do now.
 * `stalePolls` counts polls in a row that found a difference; `touches` counts touches since the site last
 * matched the files.
 */
export function nextGuardStep({stale, stalePolls, touches}) {
  if (!stale) return {action: 'none', stalePolls: 0, touches: 0};
  const polls = stalePolls + 1;
  if (polls < QUIET_POLLS || touches >= MAX_TOUCHES) return {action: 'none', stalePolls: polls, touches};
  return {action: 'touch', stalePolls: 0, touches: touches + 1};
}

const guarded = new Set();

/**
 * Starts the guard once per state folder (a full site reload runs the plugin factory again). The timer is
 * unref'd: it never keeps the dev server alive on its own.
 */
export function startStaleReloadGuard({stateDir, generatedFilesDir, pluginName, readState}) {
  if (guarded.has(stateDir)) return;
  guarded.add(stateDir);
  let counters = {stalePolls: 0, touches: 0};
  const timer = setInterval(() => {
    const generated = generatedState(generatedFilesDir, pluginName);
    if (generated === undefined) return; // the first build has not written the site yet
    const stale = JSON.stringify(generated) !== JSON.stringify(readState());
    const step = nextGuardStep({stale, ...counters});
    counters = {stalePolls: step.stalePolls, touches: step.touches};
    if (step.action !== 'touch') return;
    console.log('[learner-progress] the page missed a change of .kit/ (a stale reload finished last): asking for one more');
    const progressFile = path.join(stateDir, 'progress.json');
    const now = new Date();
    try {
      fs.utimesSync(progressFile, now, now);
    } catch {
      // No progress.json (only a last run): touching the folder's newest file is not worth the code; the next
      // grade or hint brings the page up to date.
    }
  }, 1000);
  timer.unref();
}
