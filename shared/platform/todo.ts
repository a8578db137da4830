import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm start` serves the course's pages. */
export const SITE_URL = 'http://localhost:3000';

/** What a service prints, once per distinct message, when it reaches a part of a lab that is not written yet. */
export const NOT_DONE_YET = /lab \w+ is not done yet: [^"\n]*/;

/**
 * Thrown by starter code where the learner has not written the lab's part yet. The HTTP layer answers 501
 * with this message, so a grader's failure says "not done yet, here is where" instead of a bare 500.
 * A relay or a consumer catches what it throws and retries quietly, so the error also announces itself on
 * the service's stderr (once per message): the grader shows that line first when a check fails.
 */
export class LabTodo extends Error {
  constructor(lab: string, what: string) {
    super(`lab ${lab} is not done yet: ${what} (read ${labPageUrl(lab)} and run \`npm run hint -- ${lab}\`)`);
    this.name = 'LabTodo';
    announce(this.message);
  }
}

const announced = new Set<string>();

function announce(message: string): void {
  // In a grader's own process (lab 00 tests pure code in-process) the error reaches the test itself.
  const inTestProcess = process.env.VITEST !== undefined && process.env.KIT_SERVICE === undefined;
  if (inTestProcess || announced.has(message)) return;
  announced.add(message);
  process.stderr.write(`${message}\n`);
}

/** The lab's own page, from labs/manifest.json (the one list of labs); the labs' index if it cannot be read. */
export function labPageUrl(labId: string, manifestFile = path.join(import.meta.dirname, '../../labs/manifest.json')): string {
  try {
    const { labs } = JSON.parse(readFileSync(manifestFile, 'utf8')) as { labs: Array<{ id: string; docs: string }> };
    const docs = labs.find((l) => l.id === labId)?.docs;
    if (docs) return `${SITE_URL}/${docs}`;
  } catch {
    // A copy of a service without the kit around it: the index still helps.
  }
  return `${SITE_URL}/labs/`;
}
