import type { Lab } from './manifest.ts';

/** Why a grader ran no check at all, and the one thing to do about it. */
export interface CouldNotRun {
  reason: string;
  fix: string;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const ERROR_LINE = /^(?:\w*Error|Error)(?: \[\w+\])?: (.*)$/;

/**
 * Reads what vitest printed on stderr when it ran no check (its global setup threw, it crashed, it found no
 * test file) and keeps the error's first line and a fix, instead of a code frame and a stack a learner
 * cannot act on.
 */
export function couldNotRunReason(stderr: string, lab: Lab, exitCode: number, moduleErrors: string[] = []): CouldNotRun {
  const lines = stderr.replace(ANSI, '').split('\n').map((l) => l.trimEnd());
  const grader = `labs/${lab.folder}/grader`;
  if (lines.some((l) => /No test files found/i.test(l))) {
    return { reason: `there is no test file in ${grader}`, fix: `restore it with \`git checkout -- ${grader}\`` };
  }
  const start = lines.findIndex((l) => ERROR_LINE.test(l.trim()));
  const message = start >= 0 ? messageFrom(lines, start) : moduleErrors[0]?.split('\n') ?? [];
  const reason = message[0]?.trim() || `vitest exited with code ${exitCode} without running a check`;
  const fixLine = message.find((l) => /^\s*fix\b/i.test(l))?.trim();
  const fix =
    fixLine ??
    (/reach|answer|ECONNREFUSED|connect/i.test(reason)
      ? 'run `npm run doctor`: it says which service is missing and how to start it'
      : `run \`npx vitest run ${grader}\` to see vitest's whole output`);
  return { reason, fix: fixLine ? fixLine.replace(/^fix:?\s*/i, '') : fix };
}

/** The error's message: its first line without the `Error:` label, then the lines up to the stack or a blank. */
function messageFrom(lines: string[], start: number): string[] {
  const message = [ERROR_LINE.exec(lines[start]!.trim())![1]!];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || /^\s*(❯|at |\d+\|)/.test(line)) break;
    message.push(line);
  }
  return message;
}
