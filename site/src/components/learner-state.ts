// The learner's own results, as site/plugins/learner-progress.mjs hands them to the browser. Under `npm start`
// they come from .kit/ in the learner's copy of the kit; in the public build they are empty.
import {usePluginData} from '@docusaurus/useGlobalData';

export type LabStatus = 'not started' | 'not yet' | 'passed';

export type CheckOutcome = {
  title: string;
  file: string;
  state: 'passed' | 'failed' | 'skipped';
  ms?: number;
  message?: string;
  timeline?: {file: string; mermaid?: string};
};

/** The shape shared/cli/last-run.ts writes. */
export type LastRun = {
  lab: string;
  at: string;
  verdict: 'pass' | 'not yet';
  ms: number;
  passed: number;
  failed: number;
  checks: CheckOutcome[];
  errors?: string[];
  notes?: string[];
};

export type LabView = {
  status: LabStatus;
  passedAt: string | null;
  lastGradedAt: string | null;
  hintsSeen: number;
  lastRun: LastRun | null;
};

export type LearnerState = {onThisMachine: boolean; labs: Record<string, LabView>};

export function useLearnerState(): LearnerState {
  return usePluginData('learner-progress') as LearnerState;
}

/** A date as the learner's browser writes dates, to the minute. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

/** "PASS, all 8 checks" or "NOT YET, 1 of 8 checks fail", with the time the run took. */
export function verdictLine(run: LastRun): string {
  const seconds = `${(run.ms / 1000).toFixed(1)} s`;
  return run.verdict === 'pass'
    ? `PASS: all ${run.passed} checks pass (${seconds})`
    : `NOT YET: ${run.failed} of ${run.passed + run.failed} checks fail (${seconds})`;
}
