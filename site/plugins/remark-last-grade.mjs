// A remark plugin that puts <LastGrade id="NN" /> at the end of the "## Grade it" section of every lab page
// (the pages labs/manifest.json names), so the learner's last result for the lab sits under the command that
// produces it, without any lab page having to say so. The component comes from src/theme/MDXComponents.
// A lab page without a "Grade it" section fails the build: the result would have nowhere to go.
import fs from 'node:fs';
import path from 'node:path';

const SECTION = 'Grade it';

function textOf(node) {
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map(textOf).join('');
}

/** The lab a markdown file is the page of, from its path under docs/. */
export function labOfPage(filePath, labs) {
  const page = filePath.split(path.sep).join('/').replace(/\.mdx?$/, '');
  return labs.find((lab) => page.endsWith(`/docs/${lab.docs}`));
}

/** Inserts the element before the heading that ends the "Grade it" section (or at the end of the page). */
export function insertLastGrade(tree, lab, where = 'the page') {
  const children = tree.children;
  const start = children.findIndex((node) => node.type === 'heading' && node.depth === 2 && textOf(node).trim().startsWith(SECTION));
  if (start < 0) throw new Error(`${where} (lab ${lab.id}) has no "## ${SECTION}" section, where the learner's last result goes`);
  const next = children.findIndex((node, i) => i > start && node.type === 'heading' && node.depth <= 2);
  const element = {
    type: 'mdxJsxFlowElement',
    name: 'LastGrade',
    attributes: [{type: 'mdxJsxAttribute', name: 'id', value: lab.id}],
    children: [],
  };
  children.splice(next < 0 ? children.length : next, 0, element);
}

/** @param {{root: string}} options */
export default function remarkLastGrade({root}) {
  const labs = JSON.parse(fs.readFileSync(path.join(root, 'labs', 'manifest.json'), 'utf8')).labs;
  return (tree, file) => {
    const lab = file.path ? labOfPage(file.path, labs) : undefined;
    if (lab) insertLastGrade(tree, lab, path.relative(root, file.path));
  };
}
