// The sections every lab page must have, in this order, and a checker that lists what a page lacks.
// Used by lab-page-sections.unit.test.ts (run by `npm test` through `vitest run shared site/plugins`);
// the contributing guide's "Adding a lab" and the coverage page describe the same list.

/** @typedef {{heading: string, why: string, check?: (body: string, labId: string) => string | undefined}} Section */

/**
 * Where the real grader runs of each lab are kept: `npm run capture-runs -- NN` writes NN-pass.txt (the
 * reference solution) and NN-fail.txt (the untouched starter), and the page includes them with
 * ```text file=site/docs/labs/_runs/NN-pass.txt. The same folder as CAPTURED_RUNS_DIR in
 * shared/cli/captured-runs.ts; captured-runs.unit.test.ts checks each file against its grader.
 */
export const CAPTURED_RUNS_DIR = 'site/docs/labs/_runs';

/**
 * Labs whose runs are not captured yet: labs still being written on other branches. Their pages may paste a
 * run by hand or say so with the marker below. Run `npm run capture-runs -- NN`, include the two files on
 * the page, and take the lab off this list.
 */
/** @type {string[]} */
export const RUNS_NOT_CAPTURED_YET = [];
export const RUNS_PENDING_MARKER = '<!-- run not captured yet -->';

/** The include of a captured run (`pass` or `fail`) on a lab page, as the section must show it. */
export function capturedRunInclude(labId, kind) {
  return new RegExp(`^\\s*\`\`\`text\\b[^\\n]*\\bfile=${CAPTURED_RUNS_DIR}/${labId}-${kind}\\.txt\\b`, 'm');
}

function runsCheck(body, labId) {
  const includes = ['pass', 'fail'].filter((kind) => capturedRunInclude(labId, kind).test(body));
  if (includes.length === 2) return undefined;
  if (RUNS_NOT_CAPTURED_YET.includes(labId)) {
    if (body.includes(RUNS_PENDING_MARKER)) return undefined;
    const blocks = body.match(/^```text\n[\s\S]*?^```$/gm) ?? [];
    if (blocks.some((b) => /^PASS\s+lab/m.test(b)) && blocks.some((b) => /^NOT YET\s+lab/m.test(b))) return undefined;
  }
  const missing = ['pass', 'fail'].filter((kind) => !includes.includes(kind)).map((kind) => `\`\`\`text file=${CAPTURED_RUNS_DIR}/${labId}-${kind}.txt`);
  return `does not include the captured ${missing.length === 2 ? 'runs' : 'run'} ${missing.join(' and ')} (write ${missing.length === 2 ? 'them' : 'it'} with \`npm run capture-runs -- ${labId}\`)`;
}

/** @type {Section[]} */
export const LAB_PAGE_SECTIONS = [
  {heading: 'Objectives', why: 'what the learner can do after the lab'},
  {
    heading: 'Prerequisites and time',
    why: 'the labs and knowledge it builds on, and how long it takes',
    check: (body) => (/\d+\s*(minutes|min|hours?)\b/i.test(body) ? undefined : 'gives no time estimate (for example "about 45 minutes")'),
  },
  {heading: 'The problem', why: 'what goes wrong without the pattern'},
  {
    heading: 'The pattern',
    why: 'the pattern, drawn',
    check: (body) => (/^\s*```mermaid\s*$/m.test(body) ? undefined : 'has no ```mermaid diagram'),
  },
  {heading: 'Steps', why: 'what to change, in the order the checks go green'},
  {
    heading: 'Hints',
    why: 'the manifest hints, one at a time',
    check: (body, labId) => (body.includes(`<LabHints id="${labId}" />`) ? undefined : `does not show <LabHints id="${labId}" />`),
  },
  {heading: 'Grade it', why: 'the command'},
  {heading: 'What the grader checks', why: 'each check and each mutant it catches'},
  {
    heading: 'A passing and a failing run',
    why: 'real grader output, so a learner knows what to expect',
    check: runsCheck,
  },
  {heading: 'Trade-offs', why: 'what the pattern costs and when not to use it'},
  {
    heading: 'For instructors',
    why: 'the demo and where the session plan is',
    check: (body) => (/\]\(\.\.\/instructors\/[^)]+\)/.test(body) ? undefined : 'does not link to the lab\'s instructor guide page under ../instructors/'),
  },
  {heading: 'What to take away', why: 'the lesson in a few lines'},
  {
    heading: 'Review questions',
    why: 'questions a learner answers without the code',
    check: (body) => ((body.match(/^\d+\.\s/gm) ?? []).length >= 3 ? undefined : 'has fewer than three numbered questions'),
  },
  {heading: 'Optional challenges', why: 'work beyond the grader for those who finish early'},
];

/** The `## ` headings of a markdown page with the text under each, code fences skipped. */
export function sectionsOf(markdown) {
  const sections = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^## (.+)$/.exec(line);
    if (heading) sections.push({heading: heading[1].trim(), body: ''});
    else if (sections.length > 0) sections[sections.length - 1].body += line + '\n';
  }
  return sections;
}

/**
 * What a lab page lacks: one message per missing, misplaced or incomplete required section. A required
 * heading matches a page heading that starts with it ("The problem: the dual write" is "The problem").
 * Other sections may sit in between; the page must open with the first and end with the last.
 */
export function missingSections(markdown, labId) {
  const sections = sectionsOf(markdown);
  const problems = [];
  let cursor = 0;
  for (const required of LAB_PAGE_SECTIONS) {
    const index = sections.findIndex((s, i) => i >= cursor && s.heading.startsWith(required.heading));
    if (index < 0) {
      const elsewhere = sections.some((s) => s.heading.startsWith(required.heading));
      problems.push(`"## ${required.heading}" (${required.why}) is ${elsewhere ? 'out of order' : 'missing'}`);
      continue;
    }
    cursor = index + 1;
    const complaint = required.check?.(sections[index].body, labId);
    if (complaint) problems.push(`"## ${sections[index].heading}" ${complaint}`);
  }
  const first = LAB_PAGE_SECTIONS[0].heading;
  const last = LAB_PAGE_SECTIONS[LAB_PAGE_SECTIONS.length - 1].heading;
  if (sections[0] && !sections[0].heading.startsWith(first)) problems.push(`the page must open with "## ${first}", not "## ${sections[0].heading}"`);
  const end = sections[sections.length - 1];
  if (end && !end.heading.startsWith(last)) problems.push(`the page must end with "## ${last}", not "## ${end.heading}"`);
  return problems;
}
