// Checks, in a real browser, that the course site shows the learner's own results while `npm start` runs.
// In a throwaway copy of the kit, never graded, it starts the dev server and opens lab 01's page; then it
// grades lab 01 with one mistake in it (a mutant of the solution: the call without a timeout), so that one
// check fails, and waits for the open page to show, by itself, the failing check, its message and the
// rendered sequence diagram of its run; "Your progress" shows the same run and the hint asked for. Then it
// puts the solution in, grades again, and waits for the page to change to a pass. Nothing of the real tree
// is touched.
//
//   flock /tmp/kit-heavy.lock npx tsx site/scripts/progress-check.ts    (KIT_SHOTS_DIR=... for the screenshots)
//
// Prints one line per check ("ok  ..." or "FAIL ... reason") and exits 1 if any check failed.
import {spawn, type ChildProcess} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {chromium, type Page} from 'playwright-core';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const shotsDir = process.env.KIT_SHOTS_DIR ?? path.join(repoRoot, 'site', 'test-results', 'progress');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAB = {id: '01', folder: '01-sync-mesh', page: '/labs/01-sync-mesh', file: 'order-service/api/customer-client.ts'};
const MUTANT = 'no-timeout';
const FAILING_CHECK = 'when customer-service is slower than the timeout, then order-service gives up and answers 503';
const WAIT_MS = 120_000;

let failures = 0;
function report(ok: boolean, what: string, reason = ''): void {
  if (!ok) failures++;
  console.log(ok ? `ok   ${what}` : `FAIL ${what}${reason ? `: ${reason}` : ''}`);
}

/** The kit's files (tracked and new, not ignored) copied to a temporary folder that shares node_modules. */
async function throwawayCopy(): Promise<string> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'kit-progress-'));
  const listed = await output('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], repoRoot);
  for (const file of listed.split('\0').filter((f) => f && f !== 'node_modules')) {
    mkdirSync(path.dirname(path.join(copy, file)), {recursive: true});
    cpSync(path.join(repoRoot, file), path.join(copy, file), {dereference: false});
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

function output(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd, stdio: ['ignore', 'pipe', 'inherit']});
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** Runs the kit's CLI in the copy, as a learner types `npm run <command>`; returns its last line. */
async function kit(copy: string, ...args: string[]): Promise<string> {
  const env = {...process.env, KIT_PROGRESS_FILE: ''};
  delete env.KIT_PROGRESS_FILE;
  const text = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli/kit.ts', ...args], {cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe']});
    let all = '';
    child.stdout.on('data', (chunk: Buffer) => (all += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (all += chunk.toString()));
    child.once('exit', () => resolve(all));
  });
  return text.trim().split('\n').filter((l) => /^(PASS|NOT YET|COULD NOT RUN)/.test(l)).at(-1) ?? text.trim().split('\n').slice(-3).join(' | ');
}

/** The lab's file as the solution has it, with the mutant's replacements applied when one is named. */
async function labFile(copy: string, mutantId?: string): Promise<string> {
  let text = readFileSync(path.join(copy, 'solutions', LAB.folder, LAB.file), 'utf8');
  if (!mutantId) return text;
  const mutants = (await import(path.join(copy, 'solutions', LAB.folder, 'mutants.ts'))) as {default: Array<{id: string; replace: Array<{from: string; to: string}>}>};
  const mutant = mutants.default.find((m) => m.id === mutantId);
  if (!mutant) throw new Error(`lab ${LAB.id} has no mutant ${mutantId}`);
  for (const {from, to} of mutant.replace) text = text.replace(from, to);
  return text;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
  });
}

/** `npm start` in the copy: the Docusaurus dev server, which only serves once the first compile is done. */
function startSite(copy: string, port: number): ChildProcess {
  const bin = path.join(copy, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs');
  return spawn(process.execPath, [bin, 'start', '--host', '127.0.0.1', '--port', String(port), '--no-open'], {
    cwd: path.join(copy, 'site'),
    env: {...process.env, BROWSER: 'none'},
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
}

async function waitForSite(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const ok = await fetch(baseUrl).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`the dev server did not answer on ${baseUrl} within 300 s`);
}

// ---- what the pages must show ---------------------------------------------------------------------------

/** The lab page is open and not graded yet: the grade's result must appear in it without a reload. */
async function checkFailingRun(page: Page): Promise<void> {
  const box = page.locator('[data-last-grade]');
  try {
    await page.locator('[data-last-grade="not yet"]').waitFor({timeout: WAIT_MS});
  } catch {
    return report(false, `lab ${LAB.id} page: the last run shows NOT YET`, `shows ${await box.getAttribute('data-last-grade').catch(() => 'nothing')}`);
  }
  const text = await box.innerText();
  report(/NOT YET: 1 of \d+ checks fail/.test(text), `lab ${LAB.id} page: "NOT YET: 1 of N checks fail" under Grade it`, text.split('\n')[0]);
  const failed = box.locator('[data-check-state="failed"]').first();
  const failedText = await failed.innerText().catch(() => '');
  report(failedText.includes(FAILING_CHECK), `lab ${LAB.id} page: the failing check is named`, failedText.slice(0, 200));
  report(/answer 503/.test(failedText) && /timeout/i.test(failedText), `lab ${LAB.id} page: the failing check's message is shown`, failedText.slice(0, 300));
  const afterHeading = await page.evaluate(() => {
    const heading = document.getElementById('grade-it');
    const lastGrade = document.querySelector('[data-last-grade]');
    const next = document.getElementById('what-the-grader-checks');
    if (!heading || !lastGrade || !next) return false;
    // No helper function here: tsx would wrap it in a __name() call the browser does not know.
    const FOLLOWING = Node.DOCUMENT_POSITION_FOLLOWING;
    return (heading.compareDocumentPosition(lastGrade) & FOLLOWING) !== 0 && (lastGrade.compareDocumentPosition(next) & FOLLOWING) !== 0;
  });
  report(afterHeading, `lab ${LAB.id} page: the result sits in the "Grade it" section`);
  try {
    await box.locator('.docusaurus-mermaid-container svg').first().waitFor({timeout: 30_000});
    const svg = box.locator('.docusaurus-mermaid-container svg').first();
    const isError = (await svg.getAttribute('aria-roledescription')) === 'error';
    const svgText = await svg.textContent();
    report(!isError && /customer-service|order-service/.test(svgText ?? ''), `lab ${LAB.id} page: the sequence diagram of the failing run is rendered (an svg)`, isError ? "mermaid's error picture" : (svgText ?? '').slice(0, 120));
  } catch {
    report(false, `lab ${LAB.id} page: the sequence diagram of the failing run is rendered (an svg)`, 'no svg in the result');
  }
  await page.screenshot({path: path.join(shotsDir, 'lab-page-failing.png'), fullPage: true, clip: await clipAround(page)});
}

/** The part of the page from "Grade it" to the end of the result, for a screenshot worth looking at. */
async function clipAround(page: Page): Promise<{x: number; y: number; width: number; height: number}> {
  await page.locator('#grade-it').scrollIntoViewIfNeeded();
  const rect = await page.evaluate(() => {
    const top = document.getElementById('grade-it')!.getBoundingClientRect().top + window.scrollY - 20;
    const box = document.querySelector('[data-last-grade]')!.getBoundingClientRect();
    return {top, bottom: box.bottom + window.scrollY + 20};
  });
  return {x: 0, y: Math.max(0, rect.top), width: 1280, height: Math.min(3000, rect.bottom - rect.top)};
}

async function checkProgressPage(page: Page, baseUrl: string, expected: 'not yet' | 'passed', shot: string): Promise<void> {
  await page.goto(`${baseUrl}/your-progress`, {waitUntil: 'load'});
  const lab = page.locator(`[data-lab="${LAB.id}"]`);
  try {
    await page.locator(`[data-lab="${LAB.id}"][data-status="${expected}"]`).waitFor({timeout: WAIT_MS});
    report(true, `your progress: lab ${LAB.id} is "${expected}"`);
  } catch {
    report(false, `your progress: lab ${LAB.id} is "${expected}"`, `it is ${await lab.getAttribute('data-status').catch(() => 'missing')}`);
  }
  const other = await page.locator('[data-lab="00"]').getAttribute('data-status').catch(() => 'missing');
  report(other === 'not started', 'your progress: lab 00, never graded in the copy, is "not started"', `it is ${other}`);
  const passedChecks = await lab.locator('[data-check-state="passed"]').count();
  const failedChecks = await lab.locator('[data-check-state="failed"]').allInnerTexts();
  if (expected === 'not yet') {
    report(failedChecks.length === 1 && failedChecks[0]!.includes(FAILING_CHECK) && /503/.test(failedChecks[0]!), 'your progress: the one failing check, with its message', JSON.stringify(failedChecks).slice(0, 300));
    report(passedChecks > 0, 'your progress: the passing checks of the last run are listed too', `${passedChecks} passing`);
  } else {
    report(failedChecks.length === 0 && passedChecks > 0, 'your progress: every check of the last run passes', `${passedChecks} passing, ${failedChecks.length} failing`);
  }
  // `npm run hint` ran right after the first grade, while that grade's reloads may still run: the hint must show
  // anyway (site/plugins/stale-reload-guard.mjs asks for one more reload when a stale one finished last).
  await lab.locator('.lab-progress__hints li').first().waitFor({timeout: WAIT_MS}).catch(() => {});
  const hints = await lab.locator('.lab-progress__hints li').count();
  report(hints === 1, 'your progress: the one hint asked for is listed as seen', `${hints} listed`);
  await page.screenshot({path: path.join(shotsDir, shot), fullPage: true});
}

// ---- main ------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  mkdirSync(shotsDir, {recursive: true});
  const copy = await throwawayCopy();
  const target = path.join(copy, 'labs', LAB.folder, LAB.file);
  let site: ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    writeFileSync(target, await labFile(copy, MUTANT));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const started = Date.now();
    site = startSite(copy, port);
    await waitForSite(baseUrl);
    console.log(`     dev server ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const external: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('ws://127.0.0.1') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });

    // A fresh copy has no .kit/ at all: the page says so, and must still notice the first grade.
    await page.goto(`${baseUrl}${LAB.page}`, {waitUntil: 'load'});
    const before = await page.locator('[data-last-grade]').getAttribute('data-last-grade').catch(() => null);
    report(before === 'none', `lab ${LAB.id} page: before any grade, "Grade it" says the lab was not graded on this machine`, `found ${before ?? 'nothing'}`);
    console.log(`     graded with mutant ${MUTANT}: ${await kit(copy, 'grade', LAB.id)}`);
    await checkFailingRun(page);
    await kit(copy, 'hint', LAB.id);
    await checkProgressPage(page, baseUrl, 'not yet', 'progress-failing.png');

    // The page stays open while the learner fixes the code and grades again: it must change by itself.
    await page.goto(`${baseUrl}${LAB.page}`, {waitUntil: 'load'});
    await page.locator('[data-last-grade="not yet"]').waitFor({timeout: WAIT_MS});
    writeFileSync(target, await labFile(copy));
    console.log(`     graded with the solution: ${await kit(copy, 'grade', LAB.id)}`);
    try {
      await page.locator('[data-last-grade="pass"]').waitFor({timeout: WAIT_MS});
      const text = await page.locator('[data-last-grade]').innerText();
      report(/PASS: all \d+ checks pass/.test(text), `lab ${LAB.id} page: changes by itself to PASS after the second grade`, text.slice(0, 200));
      const svgs = await page.locator('[data-last-grade] svg').count();
      report(svgs === 0, `lab ${LAB.id} page: no failing check and no diagram once it passes`, `${svgs} svg(s) left`);
      await page.screenshot({path: path.join(shotsDir, 'lab-page-passing.png'), fullPage: true, clip: await clipAround(page)});
    } catch {
      report(false, `lab ${LAB.id} page: changes by itself to PASS after the second grade`, `still ${await page.locator('[data-last-grade]').getAttribute('data-last-grade').catch(() => 'missing')}`);
    }
    await checkProgressPage(page, baseUrl, 'passed', 'progress-passing.png');
    report(external.length === 0, 'offline: no request left 127.0.0.1', [...new Set(external)].slice(0, 5).join(', '));
  } finally {
    await browser.close();
    if (site?.pid) process.kill(-site.pid, 'SIGTERM');
    if (!process.env.KIT_KEEP_COPY) rmSync(copy, {recursive: true, force: true});
    else console.log(`     copy kept in ${copy}`);
  }
  console.log(`${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}; screenshots in ${shotsDir}/`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.log(`FAIL progress check crashed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
