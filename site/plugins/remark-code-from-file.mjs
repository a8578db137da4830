// A remark plugin that fills fenced code blocks from real files, so a snippet on the site can never drift
// from code that compiles and passes its tests (STYLE habit 8).
//
//   ```ts file=solutions/01-sync-mesh/order-service/api/customer-client.ts region=reserve-credit
//   ```
//
// `file` is relative to the `root` option (the repository root). Without `region` the whole file is used;
// with it, the lines between `// #region <name>` and `// #endregion <name>`, marker lines excluded.
// Region marker lines of any name are dropped from the output, and a region's common indentation is
// removed. A missing file, a missing or unterminated region, or a path outside the root throws, which
// fails the Docusaurus build: a snippet that cannot be found must never render as an empty block.
import fs from 'node:fs';
import path from 'node:path';

const ATTRIBUTE = /(\w+)=(?:"([^"]*)"|'([^']*)'|(\S+))/g;
const MARKER = /^\s*(?:\/\/|#|--|<!--|\/\*)\s*#(region|endregion)\b\s*(\S*)/;

/** Parses `key=value key="value with spaces"` pairs out of a code fence's meta string. */
export function parseMeta(meta) {
  const attributes = {};
  for (const match of (meta ?? '').matchAll(ATTRIBUTE)) {
    attributes[match[1]] = match[2] ?? match[3] ?? match[4];
  }
  return attributes;
}

/** The lines of `text` between the named region's markers, or undefined when there is no such region. */
export function extractRegion(text, name, where = 'the file') {
  const lines = text.split(/\r?\n/);
  const isMarker = (line, kind) => {
    const m = MARKER.exec(line);
    return m !== null && m[1] === kind && m[2] === name;
  };
  const starts = lines.flatMap((line, i) => (isMarker(line, 'region') ? [i] : []));
  if (starts.length === 0) return undefined;
  if (starts.length > 1) {
    throw new Error(`region "${name}" is opened ${starts.length} times in ${where}; region names must be unique`);
  }
  const start = starts[0];
  const end = lines.findIndex((line, i) => i > start && isMarker(line, 'endregion'));
  if (end === -1) {
    throw new Error(`region "${name}" in ${where} has no "// #endregion ${name}" line`);
  }
  return lines.slice(start + 1, end).join('\n');
}

// A plain walk instead of unist-util-visit keeps the plugin free of dependencies the site does not declare.
function* codeNodes(node) {
  if (node.type === 'code') yield node;
  for (const child of node.children ?? []) yield* codeNodes(child);
}

function dropMarkers(text) {
  return text
    .split('\n')
    .filter((line) => !MARKER.test(line))
    .join('\n');
}

function dedent(text) {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)[0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(common)).join('\n');
}

/** The text a block with these attributes shows; throws an Error with a clear message when it cannot. */
export function loadSnippet(root, file, region) {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`file=${file} points outside the repository root ${root}`);
  }
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
    throw new Error(`file=${file} does not exist (looked for ${absolute})`);
  }
  const text = fs.readFileSync(absolute, 'utf8').replace(/\r\n/g, '\n');
  if (region === undefined) return dropMarkers(text).replace(/\n+$/, '');
  const body = extractRegion(text, region, file);
  if (body === undefined) {
    throw new Error(`region=${region} was not found in ${file}: expected a line "// #region ${region}"`);
  }
  return dedent(dropMarkers(body)).replace(/^\n+|\n+$/g, '');
}

/**
 * @param {{root?: string}} [options] root: the folder `file=` paths are relative to (default: process.cwd()).
 */
export default function remarkCodeFromFile(options = {}) {
  const root = path.resolve(options.root ?? process.cwd());
  return (tree, vfile) => {
    for (const node of codeNodes(tree)) {
      const attributes = parseMeta(node.meta);
      if (attributes.file === undefined) continue;
      const where = `${vfile?.path ?? 'a markdown file'}${node.position ? `:${node.position.start.line}` : ''}`;
      try {
        node.value = loadSnippet(root, attributes.file, attributes.region);
      } catch (error) {
        throw new Error(`[remark-code-from-file] ${where}: ${error.message}`, {cause: error});
      }
      // Show where the snippet comes from unless the page chose its own title.
      if (attributes.title === undefined) {
        const source = attributes.region ? `${attributes.file} (${attributes.region})` : attributes.file;
        node.meta = `${node.meta} title="${source}"`;
      }
    }
  };
}
