import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import learnerProgress, {EMPTY_STATE, labView, readLearnerState, stateDirOf} from './learner-progress.mjs';

let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'learner-progress-'));
});
afterEach(() => {
  delete process.env.KIT_PROGRESS_FILE;
  fs.rmSync(stateDir, {recursive: true, force: true});
});

const lastRun = {lab: '01', at: '2026-11-30T12:00:00.000Z', verdict: 'not yet', ms: 4200, passed: 7, failed: 1, checks: [{title: 'when x, then y', file: 'f', state: 'failed', message: 'm'}], errors: [], notes: []};

describe('the learner state the site reads from .kit/', () => {
  test('when nothing was ever graded, then every lab is "not started" with no run and no hint', () => {
    expect(readLearnerState(stateDir, ['00', '01'])).toEqual({
      onThisMachine: true,
      labs: {
        '00': {status: 'not started', passedAt: null, lastGradedAt: null, hintsSeen: 0, lastRun: null},
        '01': {status: 'not started', passedAt: null, lastGradedAt: null, hintsSeen: 0, lastRun: null},
      },
    });
  });

  test('when lab 01 was graded and failed after two hints, then it is "not yet" with its last run and two hints seen', () => {
    fs.writeFileSync(path.join(stateDir, 'progress.json'), JSON.stringify({'01': {lastGradedAt: lastRun.at, passed: false, hintsSeen: 2}}));
    fs.mkdirSync(path.join(stateDir, 'last-run'));
    fs.writeFileSync(path.join(stateDir, 'last-run', '01.json'), JSON.stringify(lastRun));
    const {labs} = readLearnerState(stateDir, ['00', '01']);
    expect(labs['01']).toEqual({status: 'not yet', passedAt: null, lastGradedAt: lastRun.at, hintsSeen: 2, lastRun});
    expect(labs['00'].status).toBe('not started');
  });

  test('when a lab passed once and failed since, then it stays "passed" with its date, and the failing run is still shown', () => {
    const view = labView({passed: true, passedAt: '2026-11-29T10:00:00.000Z', lastGradedAt: lastRun.at}, lastRun);
    expect(view).toMatchObject({status: 'passed', passedAt: '2026-11-29T10:00:00.000Z', lastRun});
  });

  test('when a state file is half written or not JSON, then it counts as nothing recorded yet', () => {
    fs.writeFileSync(path.join(stateDir, 'progress.json'), '{"01": {"passed": tr');
    fs.mkdirSync(path.join(stateDir, 'last-run'));
    fs.writeFileSync(path.join(stateDir, 'last-run', '01.json'), 'null');
    expect(readLearnerState(stateDir, ['01']).labs['01']).toMatchObject({status: 'not started', lastRun: null});
  });

  test('when KIT_PROGRESS_FILE points elsewhere, then the state is read next to it, as the CLI writes it', () => {
    expect(stateDirOf('/kit', {})).toBe(path.join('/kit', '.kit'));
    expect(stateDirOf('/kit', {KIT_PROGRESS_FILE: '/tmp/s/progress.json'})).toBe('/tmp/s');
  });
});

describe('the plugin', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const withNodeEnv = async <T>(value: string, work: () => Promise<T>): Promise<T> => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = value;
    try {
      return await work();
    } finally {
      process.env.NODE_ENV = before;
    }
  };

  test('when the site is built for production, then it reads and watches nothing and hands the empty state on', async () => {
    await withNodeEnv('production', async () => {
      const plugin = learnerProgress({siteDir: path.join(root, 'site')}, {root});
      expect(await plugin.loadContent()).toEqual(EMPTY_STATE);
      expect(plugin.getPathsToWatch()).toEqual([]);
    });
  });

  test('when the dev server runs, then it watches progress.json and the last-run folder (made at once) and knows every lab of the manifest', async () => {
    process.env.KIT_PROGRESS_FILE = path.join(stateDir, 'kit', 'progress.json');
    await withNodeEnv('development', async () => {
      const plugin = learnerProgress({siteDir: path.join(root, 'site')}, {root});
      expect(plugin.getPathsToWatch()).toEqual([process.env.KIT_PROGRESS_FILE, path.join(stateDir, 'kit', 'last-run')]);
      expect(fs.statSync(path.join(stateDir, 'kit', 'last-run')).isDirectory()).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(root, 'labs', 'manifest.json'), 'utf8')) as {labs: Array<{id: string}>};
      const content = (await plugin.loadContent()) as {onThisMachine: boolean; labs: Record<string, unknown>};
      expect(content.onThisMachine).toBe(true);
      expect(Object.keys(content.labs)).toEqual(manifest.labs.map((l) => l.id));
    });
  });
});
