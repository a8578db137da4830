import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import type { Lab } from './manifest.ts';

/**
 * Real grader runs shown on the lab pages: `npm run capture-runs` writes them (capture-runs.ts), each lab page
 * includes them with ```text file=site/docs/labs/_runs/NN-pass.txt, and site/plugins/captured-runs.unit.test.ts
 * checks, without running anything, that they still name the checks the grader defines today.
 * Files starting with `_` are not pages for Docusaurus, so the folder can sit beside the lab pages.
 */
export const CAPTURED_RUNS_DIR = 'site/docs/labs/_runs';

export type RunKind = 'pass' | 'fail';

/** Where a lab's captured run lives, relative to the repository root. */
export function capturedRunFile(labId: string, kind: RunKind): string {
  return `${CAPTURED_RUNS_DIR}/${labId}-${kind}.txt`;
}

/** The command that regenerates a lab's captured runs, for messages. */
export function captureCommand(labId: string): string {
  return `npm run capture-runs -- ${labId}`;
}

// ---- making a terminal transcript fit for the page -------------------------------------------------------

/** Folders that differ from machine to machine, longest first, and what stands for them on the page. */
function machinePaths(): Array<[string, string]> {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const nodeModules = path.join(REPO_ROOT, 'node_modules');
  const pairs: Array<[string, string]> = [
    [REPO_ROOT, ''],
    [real(REPO_ROOT), ''],
    // node_modules may be a link to another checkout's: what is inside it is the kit's, so drop that root too.
    [path.dirname(real(nodeModules)), ''],
    [real(tmpdir()), '<tmp>'],
    [tmpdir(), '<tmp>'],
    [homedir(), '~'],
  ];
  return pairs.filter(([from]) => from.length > 1).sort((a, b) => b[0].length - a[0].length);
}

/**
 * What the page shows of a run: colours, absolute paths and the exact duration go (the duration is rounded:
 * "(~8 s)"), so a capture on another machine differs only where the run did.
 */
export function cleanTranscript(stdout: string, command: string): string {
  // eslint-disable-next-line no-control-regex
  let text = stdout.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
  for (const [from, to] of machinePaths()) {
    const prefix = `${from}${path.sep}`;
    text = text.split(prefix).join(to === '' ? '' : `${to}/`);
    text = text.split(from).join(to === '' ? '.' : to);
  }
  text = text.replace(/^((?:PASS|NOT YET)\s+lab \S+: .*)\((\d+(?:\.\d+)?) s\)$/gm, (_all, head: string, seconds: string) => `${head}(~${Math.max(1, Math.round(Number(seconds)))} s)`);
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `$ ${command}\n\n${lines.join('\n')}\n`;
}

// ---- reading a captured run --------------------------------------------------------------------------------

export interface CapturedRun {
  /** The lab's title as the run printed it ("Lab 01: <title>"). */
  title?: string;
  checks: Array<{ ok: boolean; name: string }>;
  verdict?: { kind: 'PASS' | 'NOT YET'; labId: string };
}

export function parseRun(text: string): CapturedRun {
  const title = /^Lab \S+: (.+)$/m.exec(text)?.[1];
  const checks = [...text.matchAll(/^ {2}([✓✗]) (.+)$/gm)].map((m) => ({ ok: m[1] === '✓', name: m[2]! }));
  const verdict = /^(PASS|NOT YET)\s+lab (\S+):/m.exec(text);
  return { title, checks, verdict: verdict ? { kind: verdict[1] as 'PASS' | 'NOT YET', labId: verdict[2]! } : undefined };
}

// ---- the checks a grader defines, read from its source -----------------------------------------------------

/**
 * The titles of the checks a lab's grader defines, read from the source of labs/<folder>/grader and of the
 * files it imports by relative path (lab 02b reuses lab 02's suites). Read, not run: no service starts.
 * A title is a pattern: `${...}` in a template literal and `$name` of `test.for` match any text.
 * A title inside a function (a suite such as `outboxSuite`) counts only when some file of the grader calls
 * that function, so a lab that uses two of three suites of a shared file is not asked for the third.
 */
export function graderCheckTitles(lab: Lab, root = REPO_ROOT): RegExp[] {
  const files = graderFiles(lab, root);
  const sources = files.map((f) => readFileSync(f, 'utf8'));
  const titles: RegExp[] = [];
  sources.forEach((source, index) => {
    for (const chunk of chunksByFunction(source)) {
      const called = chunk.fn === undefined || sources.some((other, j) => callsFunction(j === index ? source.replace(chunk.text, '') : other, chunk.fn!));
      if (called) titles.push(...testTitles(chunk.text));
    }
  });
  return titles;
}

function graderFiles(lab: Lab, root: string): string[] {
  const start = path.join(root, 'labs', lab.folder, 'grader');
  const pending = existsSync(start)
    ? readdirSync(start, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(start, f))
    : [];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.\.?\/[^']+\.ts)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (target.startsWith(root)) pending.push(target);
    }
  }
  return [...seen].sort();
}

/**
 * A file cut into its top-level functions (a function ends at the first `}` alone at the start of a line, as
 * the formatter writes it) and the rest (`fn` undefined), which runs when the file is loaded.
 */
function chunksByFunction(source: string): Array<{ fn?: string; text: string }> {
  const chunks: Array<{ fn?: string; text: string }> = [];
  let rest = '';
  let cursor = 0;
  for (const m of source.matchAll(/^(?:export\s+)?(?:async\s+)?function\s+(\w+)/gm)) {
    if (m.index < cursor) continue;
    const close = /^\}\s*$/m.exec(source.slice(m.index));
    const end = close ? m.index + close.index + close[0].length : source.length;
    rest += source.slice(cursor, m.index);
    chunks.push({ fn: m[1], text: source.slice(m.index, end) });
    cursor = end;
  }
  return [{ text: rest + source.slice(cursor) }, ...chunks];
}

function callsFunction(source: string, fn: string): boolean {
  return new RegExp(`(?<![\\w.])${fn}\\(`).test(source.replace(new RegExp(`function\\s+${fn}\\b`, 'g'), ''));
}

/** `test('title'`, `it("title"`, `test.skip(\`title\``, and `test.for([...])('title'` */
function testTitles(source: string): RegExp[] {
  const call = /(?:\b(?:test|it)(?:\.(?:skip|only|concurrent|sequential|fails))?|\]\s*\))\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1\s*,/g;
  return [...source.matchAll(call)].map((m) => titlePattern(m[2]!.replace(/\\(.)/g, '$1')));
}

function titlePattern(title: string): RegExp {
  const wildcard = '\u0000';
  const marked = title.replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*(?:\.\w+)*|%[sdifjo]/g, wildcard);
  const escaped = marked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').split(wildcard).join('.+?');
  return new RegExp(`^${escaped}$`);
}

/**
 * What is stale in a captured run compared with the grader's current titles: checks it shows that the grader
 * no longer has, and checks the grader has that it does not show. Empty when they agree.
 */
export function staleChecks(run: CapturedRun, titles: RegExp[]): { unknown: string[]; missing: string[] } {
  const unknown = run.checks.filter((c) => !titles.some((t) => t.test(c.name))).map((c) => c.name);
  const missing = titles.filter((t) => !run.checks.some((c) => t.test(c.name))).map((t) => t.source.slice(1, -1).replace(/\\(.)/g, '$1'));
  return { unknown, missing };
}
