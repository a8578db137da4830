import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/mutants.ts';
import { classroomResultFromFile, githubOutputLine } from './classroom-result.ts';
import { classroomWorkflow, WORKFLOW_FILE } from './classroom-workflow.ts';
import { DEFAULT_LAB_POINTS, gradeResultJsonSchema } from './grade-result.ts';
import { findLab, UsageError, type Lab } from './manifest.ts';

export const GRADE_RESULT_SCHEMA_FILE = 'shared/cli/grade-result.schema.json';

const USAGE = `usage:
  npm run classroom -- workflow [--labs 02,02b,03] [--points N]   write ${WORKFLOW_FILE} (every lab, 10 points each, by default)
  npm run classroom -- schema                                      write ${GRADE_RESULT_SCHEMA_FILE} from grade-result.ts
  npm run classroom -- result NN <file> --points N                 (the workflow's step) a grade's JSON as the reporter's result`;

/** `npm run classroom -- ...`: the GitHub Classroom workflow, the grade result's schema, and the workflow's own step. */
export function runClassroom(labs: Lab[], args: string[]): number {
  const [command, ...rest] = args;
  const option = (name: string) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
  const points = Number(option('--points') ?? DEFAULT_LAB_POINTS);
  if (!Number.isInteger(points) || points < 1) throw new UsageError(`--points takes a whole number of points per lab, for example --points 10\n${USAGE}`);
  switch (command) {
    case 'workflow': {
      const selected = option('--labs')?.split(',').map((id) => findLab(labs, id)) ?? labs;
      write(WORKFLOW_FILE, classroomWorkflow(selected, { points: () => points }));
      console.log(`wrote ${WORKFLOW_FILE}: labs ${selected.map((l) => l.id).join(', ')}, ${points} points each`);
      return 0;
    }
    case 'schema':
      write(GRADE_RESULT_SCHEMA_FILE, `${JSON.stringify(gradeResultJsonSchema(), null, 2)}\n`);
      console.log(`wrote ${GRADE_RESULT_SCHEMA_FILE}`);
      return 0;
    case 'result': {
      const [id, file] = rest;
      if (!id || !file || !rest.includes('--points')) throw new UsageError(USAGE);
      console.log(githubOutputLine(classroomResultFromFile(findLab(labs, id), file, points)));
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

function write(relative: string, text: string): void {
  const file = path.join(REPO_ROOT, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
