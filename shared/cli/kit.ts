import { loadLabs, findLab, docsUrl, UsageError, type Lab } from './manifest.ts';
import { doctor, printChecks } from './doctor.ts';
import { readProgress, updateProgress } from './progress.ts';
import { grade } from './grade.ts';
import { verifyLab, type VerifyResult } from './verify.ts';
import { runKitTests } from './kit-test.ts';
import { runDemo, runBench } from './scenarios.ts';
import { runClassroom } from './classroom.ts';
import { captureRuns } from './capture-runs.ts';

const USAGE = `usage: npm run <command> -- [arguments]
  npm run doctor                      check Node.js, PostgreSQL, RabbitMQ, Docker
  npm run grade -- 01 [--watch] [--runs N]   grade your work on a lab
  npm run grade -- 01 --json [--points N]     the same, as JSON on stdout (shared/cli/grade-result.schema.json)
  npm run hint -- 01 [--all]          the next hint for a lab (or all of them)
  npm run progress                    which labs pass
  npm run verify [-- 01]              instructors: each grader passes the solution, fails the starter and mutants
  npm run demo -- <scenario>          instructors: live demos
  npm run bench -- <name>             benchmarks (not part of npm test)
  npm run classroom -- workflow       instructors: write the GitHub Classroom workflow from the manifest
  npm run capture-runs [-- 01 ...]    maintainers: the real grader runs shown on the lab pages
  npm test                            the whole kit's checks, as CI runs them`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const labs = loadLabs();
  switch (command) {
    case 'grade':
      return grade(labs, rest);
    case 'verify':
      return verify(rest[0] ? [findLab(labs, rest[0])] : labs);
    case 'hint':
      return hint(findLab(labs, rest.find((a) => !a.startsWith('--'))), rest.includes('--all'));
    case 'progress':
      return progress(labs);
    case 'doctor': {
      const checks = await doctor();
      printChecks(checks);
      return checks.every((c) => c.ok) ? 0 : 1;
    }
    case 'test':
      return runKitTests(labs, rest);
    case 'demo':
      return runDemo(rest);
    case 'bench':
      return runBench(rest);
    case 'classroom':
      return runClassroom(labs, rest);
    case 'capture-runs':
      return captureRuns(labs, rest);
    default:
      throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  }
}

async function verify(selected: Lab[]): Promise<number> {
  console.log('Each grader must pass on solutions/ and fail on the starter (labs/) and on every mutant.\n');
  const all: VerifyResult[] = [];
  for (const lab of selected) {
    console.log(`lab ${lab.id} (${lab.folder})`);
    all.push(
      ...(await verifyLab(lab, (r) => {
        const verdict = r.ok ? 'ok  ' : 'FAIL';
        console.log(`  ${verdict}  ${r.target.padEnd(24)} expected to ${r.expected}: ${r.detail} (${(r.ms / 1000).toFixed(1)} s)`);
      })),
    );
  }
  const bad = all.filter((r) => !r.ok);
  console.log(`\n${all.length - bad.length} passed, ${bad.length} failed`);
  return bad.length === 0 ? 0 : 1;
}

function hint(lab: Lab, all: boolean): number {
  const seen = readProgress()[lab.id]?.hintsSeen ?? 0;
  const shown = all ? lab.hints.length : Math.min(seen + 1, lab.hints.length);
  console.log(`Hints for lab ${lab.id}: ${lab.title}\n`);
  lab.hints.slice(0, shown).forEach((text, i) => console.log(`${i + 1}. ${text}\n`));
  if (shown < lab.hints.length) console.log(`(${lab.hints.length - shown} more: run \`npm run hint -- ${lab.id}\` again, or add --all)`);
  else console.log(`That is every hint. The page has the whole story: ${docsUrl(lab)}`);
  updateProgress(lab.id, (current) => ({ ...current, hintsSeen: Math.max(seen, shown) }));
  return 0;
}

function progress(labs: Lab[]): number {
  const state = readProgress();
  const done = labs.filter((l) => state[l.id]?.passed).length;
  console.log(`Progress: ${done} of ${labs.length} labs pass\n`);
  for (const lab of labs) {
    const p = state[lab.id];
    const status = p?.passed ? `passed ${p.passedAt?.slice(0, 10) ?? ''}` : p?.lastGradedAt ? 'not yet' : 'not started';
    const hints = p?.hintsSeen ? `  (${p.hintsSeen} hint${p.hintsSeen === 1 ? '' : 's'} seen)` : '';
    console.log(`  ${lab.id.padEnd(3)}  ${status.padEnd(18)} ${lab.title}${hints}`);
  }
  const next = labs.find((l) => !state[l.id]?.passed);
  if (next) console.log(`\nNext: lab ${next.id}, ${docsUrl(next)}, then \`npm run grade -- ${next.id}\``);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
