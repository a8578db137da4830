// The site's one door to labs/manifest.json, the single list of labs. Components read labs from here and
// never keep a copy of the list; webpack bundles the JSON from outside the site folder at build time.
import manifest from '../../../labs/manifest.json';

export type Lab = {
  id: string;
  folder: string;
  title: string;
  docs: string;
  summary: string;
  hints: string[];
};

export const labs: readonly Lab[] = manifest.labs;

export function findLab(id: string): Lab {
  const lab = labs.find((candidate) => candidate.id === id);
  if (lab === undefined) {
    throw new Error(`No lab with id "${id}" in labs/manifest.json (known: ${labs.map((l) => l.id).join(', ')})`);
  }
  return lab;
}
