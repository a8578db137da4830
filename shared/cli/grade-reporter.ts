import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { SerializedError } from '@vitest/utils';
import type { ServicesReport } from '../harness/service-output.ts';

/** What the CLI reads back after a grader run: counts and the failures, in the learner's words. */
export interface GradeReport {
  passed: number;
  failed: number;
  /** Every check that ran, in the order they finished; the failures below say why a failed one failed. */
  checks: Array<{ title: string; file: string; passed: boolean; ms: number }>;
  failures: Array<{ title: string; file: string; message: string; timeline?: string; services?: ServicesReport; queues?: string }>;
  /** Problems outside any test (a file that does not load, a hook that threw). */
  errors: string[];
  notes: string[];
}

/**
 * A reporter for learners: one line per check, and for a failing check the assertion's message (which says
 * what behaviour is missing) instead of a stack trace, after any "not done yet" line or crash of a service and
 * before the last lines each service printed (see shared/harness/service-output.ts) and the world's queues (see
 * shared/harness/queue-report.ts). Figures the graders print (`lab NN: ...`) are kept.
 * With KIT_QUIET=1 (as `verify` runs it) it prints nothing and only writes the report file.
 */
export default class GradeReporter implements Reporter {
  private report: GradeReport = { passed: 0, failed: 0, checks: [], failures: [], errors: [], notes: [] };
  private readonly quiet = process.env.KIT_QUIET === '1';

  onTestRunStart(): void {
    this.report = { passed: 0, failed: 0, checks: [], failures: [], errors: [], notes: [] };
  }

  onUserConsoleLog(log: { content: string }): void {
    for (const line of log.content.split('\n')) {
      if (/^lab \w+:/.test(line)) {
        this.report.notes.push(line);
        this.print(`    ${line}`);
      }
    }
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    if (result.state === 'passed' || result.state === 'failed') {
      this.report.checks.push({ title: test.name, file: test.module.moduleId, passed: result.state === 'passed', ms: Math.round(test.diagnostic()?.duration ?? 0) });
    }
    if (result.state === 'passed') {
      this.report.passed += 1;
      this.print(`  ✓ ${test.name}`);
    } else if (result.state === 'failed') {
      this.report.failed += 1;
      const message = (result.errors ?? []).map(describeError).join('\n') || 'failed without a message';
      const { timeline, services, queues } = test.meta() as { timeline?: string; services?: ServicesReport; queues?: string };
      this.report.failures.push({ title: test.name, file: test.module.moduleId, message, timeline, services, queues });
      this.print(`  ✗ ${test.name}`);
      // What the learner must do comes first (a part not written yet, a service that crashed), then the
      // check's own message, then what the services said last and where messages waited.
      for (const line of services?.first ?? []) this.print(`      ${line}`);
      this.print(indent(message, '      '));
      if (services?.tails) this.print(indent(services.tails, '      '));
      if (queues) this.print(indent(queues, '      '));
      if (timeline) this.print(`      what crossed the wire: ${path.relative(process.cwd(), timeline)}`);
    }
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    for (const module of modules) {
      const where = path.relative(process.cwd(), module.moduleId);
      for (const error of module.errors()) this.report.errors.push(`${where}: ${describeError(error)}`);
      // A hook of a describe block that threw (its beforeAll): vitest skips the block's checks and keeps the
      // error on the block, not on the file, so without this the run would look like fewer checks passing.
      for (const suite of module.children.allSuites()) {
        for (const error of suite.errors()) this.report.errors.push(`${where} (${suite.name}): ${describeError(error)}`);
      }
    }
    for (const error of unhandled) this.report.errors.push(describeError(error));
    for (const error of this.report.errors) this.print(`  ! ${indent(error, '    ').trimStart()}`);
    const file = process.env.KIT_REPORT_FILE;
    if (file) writeFileSync(file, JSON.stringify(this.report, null, 2));
  }

  private print(line: string): void {
    if (!this.quiet) process.stdout.write(`${line}\n`);
  }
}

/** The message first, then the first line of the stack that points into the lab, never a bare trace. */
function describeError(error: SerializedError & { cause?: unknown }): string {
  let message = (error.message ?? String(error)).replace(/\u001b\[[0-9;]*m/g, '');
  const cause = error.cause as { message?: string } | undefined;
  // fast-check wraps the real failure: show the failing input and the cause, not its report about shrinking.
  if (message.startsWith('Property failed')) {
    const counterexample = message.split('\n').find((l) => l.startsWith('Counterexample:'));
    message = [cause?.message?.split('\n').slice(0, 4).join('\n') ?? message.split('\n')[0], counterexample].filter(Boolean).join('\n');
  } else if (cause?.message) {
    message = `${message}\ncaused by: ${cause.message.split('\n')[0]}`;
  }
  const firstLines = message.split('\n').slice(0, 6).join('\n');
  const where = error.stacks?.find((s) => !s.file.includes('node_modules') && !s.file.includes('/shared/'));
  return [firstLines, where ? `at ${path.relative(process.cwd(), where.file)}:${where.line}` : '']
    .filter(Boolean)
    .join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
