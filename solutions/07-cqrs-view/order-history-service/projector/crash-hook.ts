/**
 * The grader's crash hook: `POST /admin/crash-after { entries }` arms it, and the process SIGKILLs itself once
 * the live generation has committed that many more entries: after the commit, before RabbitMQ got the ack,
 * so the restarted view is handed entries it already applied. A kill at a chosen point instead of a random
 * one. Nothing arms it outside a grader.
 */
let crashAt: number | undefined;

export function armCrashAfter(applied: number, entries: number): void {
  crashAt = applied + entries;
}

export function afterCommit(applied: number): void {
  if (crashAt !== undefined && applied >= crashAt) process.kill(process.pid, 'SIGKILL');
}
