import { beforeEach } from 'vitest';
import type { Timeline } from './timeline.ts';

/**
 * When a test of this file fails, writes the run's timeline to `runs/` and attaches its path to the test,
 * where the grade reporter finds it and prints it under the failure.
 */
export function writeTimelineOnFailure(lab: string, timeline: () => Timeline | undefined): void {
  beforeEach((context) => {
    timeline()?.clear();
    context.onTestFailed(() => {
      const current = timeline();
      if (!current || current.entries.length === 0) return;
      const slug = context.task.name.replace(/^when\s+/i, '').slice(0, 60);
      const file = current.writeMarkdown(`lab-${lab}-${slug}`, `lab ${lab}: ${context.task.name}`);
      (context.task.meta as { timeline?: string }).timeline = file;
    });
  });
}
