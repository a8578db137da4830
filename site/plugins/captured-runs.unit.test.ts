import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {loadLabs} from '../../shared/cli/manifest';
import {
  CAPTURED_RUNS_DIR as CAPTURE_DIR,
  captureCommand,
  capturedRunFile,
  cleanTranscript,
  graderCheckTitles,
  parseRun,
  staleChecks,
} from '../../shared/cli/captured-runs';
import {REPO_ROOT} from '../../shared/harness/mutants';
import {CAPTURED_RUNS_DIR, RUNS_NOT_CAPTURED_YET} from './lab-page-sections.mjs';

// The real grader runs the lab pages show (written by `npm run capture-runs`) must still be the runs of
// today's grader. Read only: nothing is run here, so this stays cheap; regenerating them is the heavy part.

const labs = loadLabs();

describe('the captured grader runs on the lab pages', () => {
  test('when the site and the CLI name the folder of captured runs, then they name the same one', () => {
    expect(CAPTURED_RUNS_DIR).toBe(CAPTURE_DIR);
  });

  for (const lab of labs) {
    const files = {pass: capturedRunFile(lab.id, 'pass'), fail: capturedRunFile(lab.id, 'fail')};
    const captured = Object.values(files).every((f) => fs.existsSync(path.join(REPO_ROOT, f)));
    if (!captured && RUNS_NOT_CAPTURED_YET.includes(lab.id)) {
      // A lab still being written: not red, but visible in every test summary, with the command.
      test.todo(`lab ${lab.id}: capture its runs with \`${captureCommand(lab.id)}\`, then take it off RUNS_NOT_CAPTURED_YET`);
      continue;
    }

    test(`when lab ${lab.id}'s grader is read, then its captured runs show the checks it defines today, the passing run every one`, () => {
      const regenerate = `run \`${captureCommand(lab.id)}\` (it grades the solution and the starter) and commit ${CAPTURE_DIR}/`;
      const titles = graderCheckTitles(lab);
      expect(titles.length, `no check title found in labs/${lab.folder}/grader`).toBeGreaterThan(0);
      for (const [kind, file] of Object.entries(files)) {
        const absolute = path.join(REPO_ROOT, file);
        expect(fs.existsSync(absolute), `${file} is missing: ${regenerate}`).toBe(true);
        const run = parseRun(fs.readFileSync(absolute, 'utf8'));
        const expectedVerdict = kind === 'pass' ? 'PASS' : 'NOT YET';
        expect(run.verdict, `${file} does not end with "${expectedVerdict}  lab ${lab.id}: …": ${regenerate}`).toEqual({kind: expectedVerdict, labId: lab.id});
        expect(run.title, `${file} was captured under another title of lab ${lab.id}: ${regenerate}`).toBe(lab.title);
        const {unknown, missing} = staleChecks(run, titles);
        expect(unknown, `${file} shows checks the grader no longer has (renamed or removed): ${regenerate}`).toEqual([]);
        // The passing run shows every check. A failing run may lack the checks of a file that could not start
        // (the starter's service exits before it is ready, say): it says so on a "!" line instead.
        if (kind === 'pass') expect(missing, `${file} lacks checks the grader now has: ${regenerate}`).toEqual([]);
        if (kind === 'pass') expect(run.checks.filter((c) => !c.ok).map((c) => c.name), `${file} is a passing run with failing checks: ${regenerate}`).toEqual([]);
        else expect(run.checks.some((c) => !c.ok), `${file} is a failing run where every check passes: ${regenerate}`).toBe(true);
        expect(fs.readFileSync(absolute, 'utf8'), `${file} holds a path of the machine it was captured on: ${regenerate}`).not.toContain(REPO_ROOT);
      }
    });
  }
});

describe('reading a run', () => {
  const lab = labs.find((l) => l.id === '01')!;

  test('when a run shows a renamed check and lacks a new one, then both are named', () => {
    const titles = graderCheckTitles(lab);
    const real = titles.map((t) => t.source.slice(1, -1).replace(/\\(.)/g, '$1'));
    const text = [`Lab 01: ${lab.title}`, ...real.slice(1).map((t) => `  ✓ ${t}`), '  ✓ when an old check was renamed, then it is still shown', '', 'PASS  lab 01: all 8 checks pass (~8 s)'].join('\n');
    const {unknown, missing} = staleChecks(parseRun(text), titles);
    expect(unknown).toEqual(['when an old check was renamed, then it is still shown']);
    expect(missing).toEqual([real[0]]);
  });

  test('when a lab calls two of the three suites of a shared file, then only their checks are its own', () => {
    const lab02b = labs.find((l) => l.id === '02b');
    if (!lab02b) return;
    const titles = graderCheckTitles(lab02b);
    const has = (title: string) => titles.some((t) => t.test(title));
    expect(has('when two relays run side by side, then every event is published once and takes effect once')).toBe(true); // relayChaosSuite
    expect(has('when the same event is delivered twice, then it takes effect once')).toBe(false); // consumerSuite, lab 02 only
    expect(has('when the streaming relay is SIGKILLed, then the standby takes the slot over and every order takes effect once')).toBe(true);
  });

  test('when a title is a test.for template, then any filled-in case matches it', () => {
    const lab04 = labs.find((l) => l.id === '04');
    if (!lab04) return;
    const titles = graderCheckTitles(lab04);
    const filled = 'when step 3 fails (kitchen-service refuses the ticket), then exactly the compensations of the steps done run, last first, and nothing stays held';
    expect(titles.some((t) => t.test(filled))).toBe(true);
  });

  test('when a transcript holds colours, the repository path and an exact duration, then the page gets none of them', () => {
    const raw = `\n\u001b[32mLab 01: x\u001b[0m\n  ✗ when a, then b\n      at ${REPO_ROOT}/labs/01-sync-mesh/grader/mesh.ts:3\n\nNOT YET  lab 01: 1 of 1 checks fail (7.34 s)\n`;
    expect(cleanTranscript(raw, 'npm run grade -- 01')).toBe(
      '$ npm run grade -- 01\n\nLab 01: x\n  ✗ when a, then b\n      at labs/01-sync-mesh/grader/mesh.ts:3\n\nNOT YET  lab 01: 1 of 1 checks fail (~7 s)\n',
    );
  });
});
