import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {generatedState, nextGuardStep} from './stale-reload-guard.mjs';

describe('the guard that asks the dev server for one more reload when a stale one finished last', () => {
  test('given the site matches the files, when polled, then nothing is done and the counters are reset', () => {
    expect(nextGuardStep({stale: false, stalePolls: 2, touches: 3})).toEqual({action: 'none', stalePolls: 0, touches: 0});
  });

  test('given the site differs from the files, when the difference is young, then the reloads in flight get time to finish', () => {
    expect(nextGuardStep({stale: true, stalePolls: 0, touches: 0})).toEqual({action: 'none', stalePolls: 1, touches: 0});
    expect(nextGuardStep({stale: true, stalePolls: 1, touches: 0})).toEqual({action: 'none', stalePolls: 2, touches: 0});
  });

  test('given the difference lasted three polls, when polled, then it touches once and starts counting again', () => {
    expect(nextGuardStep({stale: true, stalePolls: 2, touches: 0})).toEqual({action: 'touch', stalePolls: 0, touches: 1});
  });

  test('given five touches did not bring the site up to date, when polled, then it stops touching (no endless reloads)', () => {
    expect(nextGuardStep({stale: true, stalePolls: 2, touches: 5})).toEqual({action: 'none', stalePolls: 3, touches: 5});
  });

  test('when the site was generated, then the state is read from globalData.json under the plugin name; before that, undefined', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    try {
      expect(generatedState(dir, 'learner-progress')).toBeUndefined();
      const state = {onThisMachine: true, labs: {'01': {status: 'not yet'}}};
      fs.writeFileSync(path.join(dir, 'globalData.json'), JSON.stringify({'learner-progress': {default: state}}));
      expect(generatedState(dir, 'learner-progress')).toEqual(state);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });
});
