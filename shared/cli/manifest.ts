import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../harness/mutants.ts';
import { SITE_URL } from '../platform/todo.ts';

export { SITE_URL };

const Lab = z.object({
  id: z.string().regex(/^\d\d[a-z]?$/),
  folder: z.string(),
  title: z.string(),
  docs: z.string(),
  summary: z.string(),
  hints: z.array(z.string()).min(1),
  /** What the lab asks of the machine beyond PostgreSQL and RabbitMQ; the CLI checks it before grading. */
  needs: z.array(z.enum(['wal_level=logical'])).default([]),
});
export type Lab = z.output<typeof Lab>;

const Manifest = z.object({ labs: z.array(Lab).min(1) });

/** The one list of labs (labs/manifest.json), checked against the folders it names. */
export function loadLabs(root = REPO_ROOT): Lab[] {
  const file = path.join(root, 'labs', 'manifest.json');
  const labs = Manifest.parse(JSON.parse(readFileSync(file, 'utf8'))).labs;
  for (const lab of labs) {
    if (!existsSync(path.join(root, 'labs', lab.folder))) throw new Error(`labs/manifest.json names labs/${lab.folder}, which does not exist`);
  }
  return labs;
}

/** Finds a lab by what a person types: `01`, `1`, `01-sync-mesh`, `02b`. */
export function findLab(labs: Lab[], query: string | undefined): Lab {
  if (!query) throw new UsageError(`say which lab: one of ${labs.map((l) => l.id).join(', ')} (for example \`npm run grade -- ${labs[1]?.id ?? '00'}\`)`);
  const wanted = query.toLowerCase();
  const lab = labs.find((l) => l.id === wanted || l.folder === wanted || l.id === wanted.padStart(2, '0') || l.folder.startsWith(`${wanted}-`));
  if (!lab) throw new UsageError(`there is no lab "${query}"; the labs are:\n${labs.map((l) => `  ${l.id.padEnd(3)}  ${l.title}`).join('\n')}`);
  return lab;
}

export function docsUrl(lab: Lab): string {
  return `${SITE_URL}/${lab.docs}`;
}

/** A mistake on the command line: the CLI prints the message (which says what to type) and exits 2. */
export class UsageError extends Error {}
