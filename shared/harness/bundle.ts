import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from './mutants.ts';

/**
 * Bundles a service's TypeScript into one ES module under `.kit/build/`, so the grader starts it with plain
 * `node` (about 0.2 s) rather than through a TypeScript loader (about 0.7 s). Crash tests restart services
 * many times, so this is most of a grader's wall time. npm packages stay external and load from node_modules.
 */
/**
 * Prepended to every bundle: when the test process that started the service dies (a crashed or interrupted
 * test run, which never reaches its cleanup), the service's stdin pipe closes and the service exits instead
 * of running on as an orphan against dropped databases.
 */
const EXIT_WITH_PARENT = `if (!process.stdin.isTTY) { process.stdin.on('end', () => process.exit(70)); process.stdin.on('error', () => process.exit(70)); process.stdin.resume(); }`;

let sweptStaleBundles = false;

/**
 * Test workers are often ended by a signal, so an exit hook cannot be trusted to delete their bundles.
 * Instead, the first bundle of each process deletes the bundles of processes that no longer exist.
 */
function sweepStaleBundles(dir: string): void {
  sweptStaleBundles = true;
  for (const file of readdirSync(dir)) {
    const pid = Number(/-(\d+)-[a-z0-9]+\.mjs$/.exec(file)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(path.join(dir, file), { force: true });
    }
  }
}

export async function bundleService(entry: string, name: string): Promise<string> {
  const outfile = path.join(REPO_ROOT, '.kit', 'build', `${name}-${process.pid}-${Date.now().toString(36)}.mjs`);
  mkdirSync(path.dirname(outfile), { recursive: true });
  if (!sweptStaleBundles) sweepStaleBundles(path.dirname(outfile));
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // No source map: node's --enable-source-maps costs ~130 ms at each start, and crash tests restart a lot.
      sourcemap: false,
      logLevel: 'silent',
      banner: { js: EXIT_WITH_PARENT },
      plugins: [keepRealDirname],
    });
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
    const lines = errors.map((e) => `  ${e.location ? `${path.relative(REPO_ROOT, e.location.file)}:${e.location.line}: ` : ''}${e.text}`);
    throw new Error(`${name} does not compile:\n${lines.join('\n') || String(error)}`);
  }
  return outfile;
}

/**
 * A service finds its migrations next to its source with `import.meta.dirname`; in a bundle that would be
 * `.kit/build`. This plugin writes each file's real folder in its place before the file is bundled.
 */
const keepRealDirname: Plugin = {
  name: 'keep-real-dirname',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path))),
      loader: 'ts',
    }));
  },
};
