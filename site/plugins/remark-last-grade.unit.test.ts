import path from 'node:path';
import {describe, expect, test} from 'vitest';
import remarkLastGrade, {insertLastGrade, labOfPage} from './remark-last-grade.mjs';

type Node = {type: string; depth?: number; value?: string; name?: string; attributes?: unknown[]; children?: Node[]};

const heading = (depth: number, text: string): Node => ({type: 'heading', depth, children: [{type: 'text', value: text}]});
const paragraph = (text: string): Node => ({type: 'paragraph', children: [{type: 'text', value: text}]});
const labs = [
  {id: '01', docs: 'labs/01-sync-mesh'},
  {id: '02b', docs: 'labs/02b-log-tailing'},
];
const lab01 = labs[0]!;

describe('the last result placed under "Grade it"', () => {
  test('when a lab page has a Grade it section, then <LastGrade id> ends that section, before the next heading', () => {
    const tree = {type: 'root', children: [heading(2, 'Steps'), heading(2, 'Grade it'), {type: 'code', value: 'npm run grade -- 01'}, heading(3, 'Watch mode'), paragraph('…'), heading(2, 'What the grader checks')]};
    insertLastGrade(tree, lab01);
    expect(tree.children.map((n: Node) => n.name ?? n.type)).toEqual(['heading', 'heading', 'code', 'heading', 'paragraph', 'LastGrade', 'heading']);
    expect(tree.children[5]).toEqual({type: 'mdxJsxFlowElement', name: 'LastGrade', attributes: [{type: 'mdxJsxAttribute', name: 'id', value: '01'}], children: []});
  });

  test('when Grade it is the last section, then the result goes at the end of the page', () => {
    const tree = {type: 'root', children: [heading(2, 'Grade it: the command'), paragraph('run it')]};
    insertLastGrade(tree, lab01);
    expect(tree.children.at(-1)).toMatchObject({name: 'LastGrade'});
  });

  test('when a lab page has no Grade it section, then the build fails naming the page', () => {
    expect(() => insertLastGrade({type: 'root', children: [heading(2, 'Steps')]}, lab01, 'docs/labs/01-sync-mesh.md')).toThrow(
      'docs/labs/01-sync-mesh.md (lab 01) has no "## Grade it" section',
    );
  });

  test('when a page is not a lab page of the manifest, then it is left alone', () => {
    expect(labOfPage('/kit/site/docs/labs/02b-log-tailing.md', labs)?.id).toBe('02b');
    expect(labOfPage('/kit/site/docs/instructors/01-sync-mesh.md', labs)).toBeUndefined();
    const root = path.resolve(import.meta.dirname, '..', '..');
    const tree = {type: 'root', children: [heading(2, 'Steps')]};
    remarkLastGrade({root})(tree, {path: path.join(root, 'site', 'docs', 'glossary.md')});
    expect(tree.children).toHaveLength(1);
  });
});
