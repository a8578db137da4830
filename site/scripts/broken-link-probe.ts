// Proves that a broken link fails the site's build, so `onBrokenLinks: 'throw'` is not just a setting we
// believe in. It builds the real site plus one extra page, kept in a temporary folder and never in
// site/docs, that links to a page that does not exist. The probe passes (exit 0) only if that build fails
// and its output names the broken link.
//
//   npx tsx site/scripts/broken-link-probe.ts
//
// docusaurus.config.ts serves the folder in KIT_BROKEN_LINK_PROBE with the pages plugin. To stay cheap the
// build skips minification (irrelevant to link checking) and writes to a temporary folder, leaving
// site/build alone.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const siteDir = path.resolve(import.meta.dirname, '..');
const MISSING = '/no-such-page-broken-link-probe';

function build(probeDir: string, outDir: string): Promise<{code: number | null; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['docusaurus', 'build', '--no-minify', '--out-dir', outDir], {
      cwd: siteDir,
      env: {...process.env, KIT_BROKEN_LINK_PROBE: probeDir},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, output}));
  });
}

async function main(): Promise<number> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kit-broken-link-probe-'));
  const probeDir = path.join(tmp, 'pages');
  const outDir = path.join(tmp, 'build');
  try {
    mkdirSync(probeDir);
    writeFileSync(
      path.join(probeDir, 'broken-link-probe.md'),
      `# Broken link probe\n\nThis page links to [a page that does not exist](${MISSING}).\n`,
    );
    const started = Date.now();
    const {code, output} = await build(probeDir, outDir);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const named = output.includes(MISSING) && /broken link/i.test(output);
    if (code !== 0 && named) {
      const lines = output.split('\n');
      const header = lines.find((l) => /broken link on source page/i.test(l))?.trim();
      const link = lines.find((l) => l.includes(MISSING))?.trim();
      console.log(`ok   the build failed on the broken link (exit ${code}, ${seconds} s): ${header} ${link}`);
      return 0;
    }
    if (code === 0) {
      console.log(`FAIL the build succeeded (${seconds} s) although the probe page links to ${MISSING}: broken links are not caught`);
    } else {
      console.log(`FAIL the build failed (exit ${code}, ${seconds} s) but not because of the broken link; its output ends with:`);
      console.log(output.split('\n').slice(-30).join('\n'));
    }
    return 1;
  } finally {
    rmSync(tmp, {recursive: true, force: true});
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.log(`FAIL probe crashed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
