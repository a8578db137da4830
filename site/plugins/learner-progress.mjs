// A Docusaurus plugin that brings the learner's own results to the course site: what `npm run grade` and
// `npm run hint` remember in .kit/ (progress.json, and last-run/<lab>.json with every check of the last run).
// Under `npm start` it reads them and watches them, so the page a learner reads refreshes when a grade ends.
// A production build (the public site) never reads them: it shows the same views, empty, and says why.
// Nothing leaves the machine: the data goes into the site's own bundle, served by the dev server.
import fs from 'node:fs';
import path from 'node:path';
import {startStaleReloadGuard} from './stale-reload-guard.mjs';

/** @typedef {'not started' | 'not yet' | 'passed'} LabStatus */

/** Where the CLI keeps the learner's state: .kit/ at the root, or next to KIT_PROGRESS_FILE when it is set. */
export function stateDirOf(root, env = process.env) {
  return env.KIT_PROGRESS_FILE ? path.dirname(path.resolve(root, env.KIT_PROGRESS_FILE)) : path.join(root, '.kit');
}

/** What the public site shows: the views, with no learner in them. */
export const EMPTY_STATE = {onThisMachine: false, labs: {}};

/**
 * The learner's state for every lab in `labIds`, as the site's components read it. A file that is missing
 * or half-written counts as nothing recorded yet: the next change reloads it.
 */
export function readLearnerState(stateDir, labIds) {
  const progress = readJson(path.join(stateDir, 'progress.json')) ?? {};
  const labs = {};
  for (const id of labIds) {
    const lastRun = readJson(path.join(stateDir, 'last-run', `${id}.json`));
    labs[id] = labView(progress[id] ?? {}, lastRun);
  }
  return {onThisMachine: true, labs};
}

/** One lab's status from what the CLI remembers: passed stays passed, even after a later failing run. */
export function labView(progress, lastRun) {
  /** @type {LabStatus} */
  const status = progress.passed ? 'passed' : progress.lastGradedAt || lastRun ? 'not yet' : 'not started';
  return {
    status,
    passedAt: progress.passedAt ?? null,
    lastGradedAt: progress.lastGradedAt ?? lastRun?.at ?? null,
    hintsSeen: Number.isInteger(progress.hintsSeen) ? progress.hintsSeen : 0,
    lastRun: lastRun && Array.isArray(lastRun.checks) ? lastRun : null,
  };
}

function readJson(file) {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** @param {{siteDir: string}} context @param {{root: string}} options */
export default function learnerProgress(context, {root}) {
  // `docusaurus build` sets NODE_ENV=production before it loads plugins; `docusaurus start` leaves development.
  const onThisMachine = process.env.NODE_ENV !== 'production';
  const stateDir = stateDirOf(root);
  // The watcher misses files created under a folder that did not exist when it started (a fresh clone has
  // no .kit/ until the first grade), so the folders are made first. They are git-ignored, and the CLI's anyway.
  if (onThisMachine) fs.mkdirSync(path.join(stateDir, 'last-run'), {recursive: true});
  const labIds = () => JSON.parse(fs.readFileSync(path.join(root, 'labs', 'manifest.json'), 'utf8')).labs.map((lab) => lab.id);
  if (onThisMachine && context.generatedFilesDir) {
    startStaleReloadGuard({stateDir, generatedFilesDir: context.generatedFilesDir, pluginName: 'learner-progress', readState: () => readLearnerState(stateDir, labIds())});
  }
  return {
    name: 'learner-progress',
    async loadContent() {
      return onThisMachine ? readLearnerState(stateDir, labIds()) : EMPTY_STATE;
    },
    async contentLoaded({content, actions}) {
      actions.setGlobalData(content);
    },
    getPathsToWatch() {
      return onThisMachine ? [path.join(stateDir, 'progress.json'), path.join(stateDir, 'last-run')] : [];
    },
  };
}
