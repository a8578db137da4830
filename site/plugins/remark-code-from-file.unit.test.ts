import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import remarkCodeFromFile from './remark-code-from-file.mjs';

type Code = {type: 'code'; lang: string | null; meta: string | null; value: string};
type Root = {type: 'root'; children: Array<Code | {type: 'paragraph'; children: Code[]}>};

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'remark-code-from-file-'));
  fs.mkdirSync(path.join(root, 'lib'));
  fs.writeFileSync(
    path.join(root, 'lib', 'client.ts'),
    [
      "import {x} from './x';",
      '',
      'export class Client {',
      '  // #region call',
      '  call() {',
      '    return x;',
      '  }',
      '  // #endregion call',
      '}',
      '// #region open-only',
      'const y = 1;',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(root, 'data.json'), '{"a": 1}\n');
});

afterAll(() => fs.rmSync(root, {recursive: true, force: true}));

function code(meta: string | null, value = 'placeholder'): Code {
  return {type: 'code', lang: 'ts', meta, value};
}

function run(tree: Root) {
  const transform = remarkCodeFromFile({root});
  transform(tree, {path: 'docs/page.md'});
  return tree;
}

describe('remark-code-from-file', () => {
  test('when a block names a file, then the whole file replaces its content, without a trailing newline', () => {
    const block = code('file=data.json');
    run({type: 'root', children: [block]});
    expect(block.value).toBe('{"a": 1}');
    expect(block.meta).toContain('title="data.json"');
  });

  test('when a block names a region, then only the lines between the markers are used, dedented', () => {
    const block = code('file=lib/client.ts region=call');
    run({type: 'root', children: [block]});
    expect(block.value).toBe(['call() {', '  return x;', '}'].join('\n'));
    expect(block.meta).toContain('title="lib/client.ts (call)"');
  });

  test('when the whole file is used, then region marker lines are dropped', () => {
    const block = code('file=lib/client.ts');
    run({type: 'root', children: [block]});
    expect(block.value).not.toMatch(/#(end)?region/);
    expect(block.value).toContain('export class Client {');
  });

  test('when a block is nested deeper in the tree, then it is filled too', () => {
    const block = code('file="data.json" title="Data"');
    run({type: 'root', children: [{type: 'paragraph', children: [block]}]});
    expect(block.value).toBe('{"a": 1}');
    expect(block.meta).toBe('file="data.json" title="Data"');
  });

  test('when a block has no file attribute, then it is left alone', () => {
    const block = code('title="x.ts"', 'const kept = true;');
    const plain = code(null, 'plain');
    run({type: 'root', children: [block, plain]});
    expect(block.value).toBe('const kept = true;');
    expect(plain.value).toBe('plain');
  });

  test('when the file does not exist, then the plugin throws naming the page and the file', () => {
    expect(() => run({type: 'root', children: [code('file=lib/missing.ts')]})).toThrow(
      /docs\/page\.md.*file=lib\/missing\.ts does not exist/,
    );
  });

  test('when the region does not exist, then the plugin throws naming the region', () => {
    expect(() => run({type: 'root', children: [code('file=lib/client.ts region=nope')]})).toThrow(
      /region=nope was not found in lib\/client\.ts/,
    );
  });

  test('when a region is never closed, then the plugin throws', () => {
    expect(() => run({type: 'root', children: [code('file=lib/client.ts region=open-only')]})).toThrow(
      /no "\/\/ #endregion open-only" line/,
    );
  });

  test('when the path leaves the root, then the plugin throws', () => {
    expect(() => run({type: 'root', children: [code('file=../etc/passwd')]})).toThrow(/outside the repository root/);
  });
});
