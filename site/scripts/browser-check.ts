// Checks the built site in a real browser: every page under site/docs loads (every lab page in
// labs/manifest.json among them), every mermaid diagram on each renders an svg that is not mermaid's error
// picture, the hints and the lab index come from the manifest, the offline search
// finds a lab, and no page reaches for the internet. Full-page screenshots go to site/test-results/.
//
//   npm run build -w site && npx tsx site/scripts/browser-check.ts
//
// Prints one line per check ("ok  ..." or "FAIL ... reason") and exits 1 if any check failed.
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {chromium, type Page} from 'playwright-core';
import {labs, type Lab} from '../src/components/manifest';

const siteDir = path.resolve(import.meta.dirname, '..');
const buildDir = path.join(siteDir, 'build');
const resultsDir = path.join(siteDir, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RENDER_TIMEOUT_MS = 20_000;

let failures = 0;
function report(ok: boolean, what: string, reason = ''): void {
  if (!ok) failures++;
  console.log(ok ? `ok   ${what}` : `FAIL ${what}${reason ? `: ${reason}` : ''}`);
}

// ---- a tiny static server for site/build -------------------------------------------------------------

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

/** The file that answers a URL path, the way a static host serves a Docusaurus build. */
function resolveFile(urlPath: string): string | undefined {
  const relative = path.normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, '');
  const base = path.join(buildDir, relative);
  if (!base.startsWith(buildDir)) return undefined;
  for (const candidate of [base, path.join(base, 'index.html'), `${base}.html`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = resolveFile(url.pathname);
    const status = file ? 200 : 404;
    const body = readFileSync(file ?? path.join(buildDir, '404.html'));
    res.writeHead(status, {'content-type': CONTENT_TYPES[path.extname(file ?? '.html')] ?? 'application/octet-stream'});
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- checks --------------------------------------------------------------------------------------------

type DocPage = {docId: string; route: string; source: string};

/** Every page under site/docs, with the route Docusaurus serves it at (its `slug`, or its id). */
function docsPages(): DocPage[] {
  const docsDir = path.join(siteDir, 'docs');
  return readdirSync(docsDir, {recursive: true, encoding: 'utf8'})
    .filter((file) => /\.mdx?$/.test(file))
    .sort()
    .map((file) => {
      const source = path.join(docsDir, file);
      const docId = file.replace(/\.mdx?$/, '').split(path.sep).join('/');
      const slug = /^---\n[\s\S]*?^slug:\s*(\S+)\s*$[\s\S]*?^---$/m.exec(readFileSync(source, 'utf8'))?.[1];
      // A doc named index is served at its folder's path, as Docusaurus does ("instructors/index" at /instructors/).
      const route = slug ?? (docId === 'index' || docId.endsWith('/index') ? `/${docId.replace(/(^|\/)index$/, '')}/`.replace('//', '/') : `/${docId}`);
      return {docId, route, source};
    });
}

/** How many ```mermaid blocks a page's source has: that many diagrams must render. */
function mermaidBlocksIn(source: string): number {
  return readFileSync(source, 'utf8').match(/^\s*```mermaid\s*$/gm)?.length ?? 0;
}

async function checkDiagrams(page: Page, name: string, expected: number, isLab: boolean): Promise<void> {
  const what = `${name}: ${expected} mermaid diagram(s) rendered`;
  if (expected === 0) {
    if (isLab) report(false, what, 'the page has no ```mermaid block; every lab page needs a diagram');
    return;
  }
  try {
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.docusaurus-mermaid-container svg').length >= n ||
        document.querySelector('[class*="errorBoundaryFallback"]') !== null,
      expected,
      {timeout: RENDER_TIMEOUT_MS},
    );
  } catch {
    // Reported below with what the page actually shows.
  }
  const state = await page.evaluate(() => ({
    svgs: document.querySelectorAll('.docusaurus-mermaid-container svg').length,
    // mermaid draws a syntax error as an svg of its own ("Syntax error in text"), so an svg is not enough.
    errorSvgs: [...document.querySelectorAll('.docusaurus-mermaid-container svg')].filter(
      (svg) => svg.getAttribute('aria-roledescription') === 'error' || svg.querySelector('.error-icon, .error-text') !== null,
    ).length,
    crashed: [...document.querySelectorAll('[class*="errorBoundaryFallback"]')].map((e) => e.textContent?.trim()),
    text: document.body.innerText,
  }));
  const syntaxError = /Syntax error|Parse error on line/i.exec(state.text);
  if (state.crashed.length > 0) return report(false, what, `a diagram failed to render: ${state.crashed.join(' | ').slice(0, 300)}`);
  if (syntaxError) return report(false, what, `the page shows mermaid's "${syntaxError[0]}"`);
  if (state.errorSvgs > 0) return report(false, what, `${state.errorSvgs} diagram(s) rendered as mermaid's error picture`);
  report(state.svgs >= expected, what, `found ${state.svgs} rendered svg(s) after ${RENDER_TIMEOUT_MS} ms`);
}

async function checkHints(page: Page, lab: Lab): Promise<void> {
  const summaries = await page.locator('summary').allInnerTexts();
  const hints = summaries.filter((s) => /^Hint \d+$/.test(s.trim())).length;
  report(hints === lab.hints.length, `${lab.folder}: ${lab.hints.length} hints from the manifest`, `found ${hints} "Hint N" blocks`);
}

async function checkLabIndex(page: Page): Promise<void> {
  const hrefs = await page.locator('.lab-index a').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  const missing = labs.filter((lab) => !hrefs.some((h) => h.replace(/\/$/, '') === `/${lab.docs}`));
  report(missing.length === 0, `home: lab index links every lab in the manifest (${labs.length})`, `missing ${missing.map((l) => l.id).join(', ')}`);
}

// The public build knows no learner: "Your progress" and each lab's last result are there, empty, and say so.
async function checkLearnerViewsEmpty(page: Page, name: string, lab: Lab | undefined): Promise<void> {
  if (lab) {
    const box = await page.locator('[data-last-grade]').getAttribute('data-last-grade').catch(() => null);
    report(box === 'empty', `${lab.folder}: "Grade it" has the learner's last result, empty in the public build`, `found ${box ?? 'nothing'}`);
  }
  if (name === 'your-progress') {
    const view = page.locator('.your-progress');
    const text = await view.innerText().catch(() => '');
    const rows = await view.locator('[data-lab][data-status="unknown"]').count();
    report(
      (await view.getAttribute('data-on-this-machine')) === 'false' && text.includes("fills in on a learner's machine") && rows === labs.length,
      `your-progress: every lab listed (${labs.length}), empty, with the sentence saying it fills in on a learner's machine`,
      `${rows} empty rows; text starts "${text.slice(0, 120)}"`,
    );
  }
}

async function checkSearch(page: Page, baseUrl: string): Promise<void> {
  const lab = labs.find((l) => l.id === '01') ?? labs[labs.length - 1]!;
  const what = `search: "synchronous" finds a result that opens /${lab.docs}`;
  try {
    await page.goto(`${baseUrl}/`, {waitUntil: 'load'});
    const input = page.locator('input.navbar__search-input');
    await input.click();
    await input.pressSequentially('synchronous', {delay: 30});
    // The plugin renders its results as autocomplete options (role="option", not links): pick the first one
    // from the lab's page, click it, and see where it leads.
    const suggestion = page.getByRole('option').filter({hasText: lab.title}).first();
    await suggestion.waitFor({state: 'visible', timeout: RENDER_TIMEOUT_MS});
    await page.screenshot({path: path.join(resultsDir, 'search.png'), fullPage: true});
    await suggestion.click();
    await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === `/${lab.docs}`, {timeout: RENDER_TIMEOUT_MS});
    report(true, what);
  } catch (error) {
    const shown = await page.getByRole('option').allInnerTexts().catch(() => []);
    report(false, what, `${(error as Error).message.split('\n')[0]}; suggestions shown: ${JSON.stringify(shown.slice(0, 5))}`);
  }
}

// ---- main ----------------------------------------------------------------------------------------------

// site/ is a CommonJS package (Docusaurus needs it), so no top-level await here.
async function main(): Promise<number> {
  if (!existsSync(path.join(buildDir, 'index.html'))) {
    console.log(`FAIL site/build has no index.html: run \`npm run build -w site\` first`);
    return 1;
  }
  mkdirSync(resultsDir, {recursive: true});

  const server = await serve();
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const external: string[] = [];
    const errors: string[] = [];
    // The site must work offline: any request that leaves the local server is recorded and refused.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    // Every page under site/docs, not only the labs: a mermaid syntax error builds fine and only shows here.
    const pages = docsPages().map(({docId, route, source}) => {
      const lab = labs.find((l) => l.docs === docId);
      const name = docId === 'intro' ? 'home' : (lab?.folder ?? docId);
      return {name, route, source, lab};
    });
    const unlisted = labs.filter((lab) => !pages.some((p) => p.lab === lab));
    report(unlisted.length === 0, `every lab in the manifest has a page under site/docs`, `missing ${unlisted.map((l) => l.docs).join(', ')}`);
    for (const {name, route, source, lab} of pages) {
      // Leave the previous page first, so that what its teardown logs is not blamed on the next page.
      await page.goto('about:blank');
      errors.length = 0;
      const response = await page.goto(baseUrl + route, {waitUntil: 'load'});
      const h1 = await page.locator('article h1').first().innerText().catch(() => '');
      report(response?.status() === 200 && h1 !== '', `${name}: ${route} loads with a title`, `status ${response?.status()}, h1 "${h1}"`);
      await checkDiagrams(page, name, mermaidBlocksIn(source), lab !== undefined);
      if (lab) await checkHints(page, lab);
      await checkLearnerViewsEmpty(page, name, lab);
      if (name === 'home') await checkLabIndex(page);
      await page.screenshot({path: path.join(resultsDir, `${name.replaceAll('/', '--')}.png`), fullPage: true});
      report(errors.length === 0, `${name}: no errors in the browser console`, errors.slice(0, 3).join(' | ').slice(0, 400));
    }

    await checkSearch(page, baseUrl);
    report(external.length === 0, 'offline: no request left 127.0.0.1', [...new Set(external)].slice(0, 5).join(', '));
  } finally {
    await browser.close();
    server.close();
  }

  console.log(`${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}; screenshots in ${path.relative(process.cwd(), resultsDir)}/`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.log(`FAIL browser check crashed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
