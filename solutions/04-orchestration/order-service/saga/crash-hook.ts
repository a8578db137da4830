/**
 * The grader's crash hook: `POST /admin/crash-after-reply { step }` arms it, and the process SIGKILLs itself
 * right after it handled (committed) the reply to that step (1-based). A kill at a precise point, instead of a
 * kill at a random time that lands there once in a hundred runs. Nothing arms it outside a grader.
 */
let armed: number | undefined;

export function armCrashAfterReply(step: number): void {
  armed = step;
}

export function afterReplyHandled(stepIndex: number): void {
  if (armed === stepIndex + 1) process.kill(process.pid, 'SIGKILL');
}
