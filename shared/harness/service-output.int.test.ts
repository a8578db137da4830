import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { startService } from './child-service.ts';
import { eventually } from './eventually.ts';
import { servicesSince } from './service-output.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kit-service-output-'));
const todoModule = JSON.stringify(path.resolve(import.meta.dirname, '../platform/todo.ts'));

describe('what services say, kept for a failing check', () => {
  test('when a service catches a LabTodo and retries quietly, then its "not done yet" line is recorded once, with the lab page', async () => {
    const entry = path.join(dir, 'quiet-retry.ts');
    writeFileSync(
      entry,
      `import { LabTodo } from ${todoModule};
       console.log(JSON.stringify({ msg: 'ready' }));
       setInterval(() => { try { throw new LabTodo('02', 'relayBatch in labs/02-outbox/relay/relay.ts'); } catch { /* retried later */ } }, 20);`,
    );
    const started = Date.now();
    const service = await startService({ name: 'quiet-relay', entry, env: {}, readyMessage: 'ready' });
    try {
      const record = () => servicesSince(started).find((r) => r.name === 'quiet-relay')!;
      await eventually(() => record().notDoneYet.length > 0, { timeoutMs: 5_000, description: 'the not-done-yet line' });
      expect(record().notDoneYet).toEqual([
        'lab 02 is not done yet: relayBatch in labs/02-outbox/relay/relay.ts (read http://localhost:3000/labs/02-outbox and run `npm run hint -- 02`)',
      ]);
      expect(record().output.filter((l) => l.includes('not done yet')), 'announced once, not on every retry').toHaveLength(1);
    } finally {
      await service.kill();
    }
    expect(servicesSince(started).find((r) => r.name === 'quiet-relay')!.crashes, 'a kill by the harness is no crash').toEqual([]);
  });

  test('when a service dies by itself after it was ready, then the crash is recorded with the error it died of', async () => {
    const entry = path.join(dir, 'dies.ts');
    writeFileSync(entry, `console.log(JSON.stringify({ msg: 'ready' })); setTimeout(() => { throw new Error('the consumer lost its database'); }, 50);`);
    const started = Date.now();
    const service = await startService({ name: 'mortal', entry, env: {}, readyMessage: 'ready' });
    const record = () => servicesSince(started).find((r) => r.name === 'mortal')!;
    await eventually(() => record().crashes.length > 0, { timeoutMs: 5_000, description: 'the crash to be recorded' });
    expect(service.exited).toBe(true);
    expect(record().crashes).toEqual(['mortal crashed (exit code 1); it last said: Error: the consumer lost its database']);
  });
});
