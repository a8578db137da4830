import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { freePort, startService } from './child-service.ts';
import { eventually } from './eventually.ts';
import { Timeline } from './timeline.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kit-child-'));

describe('child services', () => {
  test('when a service is SIGKILLed, then it stops at once, and a restart brings it back on the same port', async () => {
    const entry = path.join(dir, 'server.ts');
    writeFileSync(
      entry,
      `import http from 'node:http';
       const server = http.createServer((_q, r) => r.end(String(process.pid)));
       server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening' })));`,
    );
    const port = await freePort();
    const timeline = new Timeline();
    const first = await startService({ name: 'toy', entry, env: { PORT: String(port) }, timeline });
    const pid1 = await (await fetch(`http://127.0.0.1:${port}`)).text();
    await first.kill();
    expect(first.exited).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}`)).rejects.toThrow();
    const second = await first.restart();
    const pid2 = await (await fetch(`http://127.0.0.1:${port}`)).text();
    expect(pid2).not.toBe(pid1);
    await second.kill();
    expect(timeline.entries.map((e) => e.label.replace(/\d+/g, 'N'))).toEqual(['toy started (pid N)', 'toy SIGKILLed', 'toy started (pid N)', 'toy SIGKILLed']);
  });

  test('when a service ignores SIGTERM, then stop() SIGKILLs it after the grace period and says so', async () => {
    const entry = path.join(dir, 'stubborn.ts');
    writeFileSync(
      entry,
      `process.on('SIGTERM', () => console.log(JSON.stringify({ msg: 'not stopping' })));
       setInterval(() => {}, 1000);
       console.log(JSON.stringify({ msg: 'listening' }));`,
    );
    const timeline = new Timeline();
    const stubborn = await startService({ name: 'stubborn', entry, env: {}, timeline, stopGraceMs: 300 });
    const stopped = await Promise.race([stubborn.stop().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
    expect(stopped, 'stop() returned').toBe(true);
    expect(stubborn.exited).toBe(true);
    expect(stubborn.output.at(-1)).toBe('stubborn did not exit within 300 ms of SIGTERM: SIGKILLed');
    expect(timeline.entries.map((e) => e.label).at(-1)).toBe('stubborn did not exit within 300 ms of SIGTERM: SIGKILLed');
  });

  test('when a service crashes before it is ready, then the error shows its last output', async () => {
    const entry = path.join(dir, 'crash.ts');
    writeFileSync(entry, `console.error('missing environment variable DATABASE_URL'); process.exit(2);`);
    await expect(startService({ name: 'crashy', entry, env: {} })).rejects.toThrow(/crashy exited \(code 2\)[\s\S]*missing environment variable DATABASE_URL/);
  });

  test('when a service does not compile, then the error names the file and line', async () => {
    const entry = path.join(dir, 'broken.ts');
    writeFileSync(entry, 'const x: number = ;\n');
    await expect(startService({ name: 'broken', entry, env: {} })).rejects.toThrow(/broken does not compile:[\s\S]*broken\.ts:1/);
  });
});

describe('child services when the test process dies', () => {
  test('when the process that started a service is SIGKILLed, then the service exits too instead of lingering', async () => {
    const server = path.join(dir, 'linger.ts');
    writeFileSync(server, `import http from 'node:http'; http.createServer().listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening' })));`);
    const parent = path.join(dir, 'parent.mts');
    writeFileSync(
      parent,
      `import { startService } from ${JSON.stringify(path.resolve(import.meta.dirname, 'child-service.ts'))};
       const s = await startService({ name: 'linger', entry: ${JSON.stringify(server)}, env: {} });
       console.log('pid ' + s.pid); setInterval(() => {}, 1000);`,
    );
    const { spawn } = await import('node:child_process');
    const runner = spawn(process.execPath, ['--import', 'tsx', parent], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(import.meta.dirname, '../..') });
    const pid = await new Promise<number>((resolve) => runner.stdout.on('data', (d: Buffer) => /pid (\d+)/.test(String(d)) && resolve(Number(/pid (\d+)/.exec(String(d))![1]))));
    runner.kill('SIGKILL');
    await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 5_000, description: `the orphaned service (pid ${pid}) to exit` });
  });
});
