import { describe, expect, test } from 'vitest';
import { describeServices, noticeLine, readable, registerService, servicesSince } from './service-output.ts';

const todo = 'lab 02 is not done yet: relayBatch in labs/02-outbox/relay/relay.ts (read http://localhost:3000/labs/02-outbox and run `npm run hint -- 02`)';
const pinoWarn = JSON.stringify({ level: 40, time: 1, service: 'relay', err: { type: 'LabTodo', message: todo, stack: 'LabTodo: ...\n    at relayBatch' }, msg: 'relay batch failed; retrying' });

function serviceSaying(name: string, lines: string[]) {
  const record = registerService(name, []);
  for (const line of lines) {
    record.output.push(line);
    noticeLine(record, line);
  }
  return record;
}

describe('what a failing check shows of the services', () => {
  test('when a relay logs a LabTodo inside a pino error object, then its "not done yet" line comes first, with the lab page', () => {
    const relay = serviceSaying('relay-1', [JSON.stringify({ level: 30, msg: 'ready' }), pinoWarn, pinoWarn]);
    const report = describeServices([relay])!;
    expect(report.first).toEqual([`relay-1: ${todo}`]);
    expect(report.first[0]).toContain('http://localhost:3000/labs/02-outbox');
  });

  test('when a service repeats a line, then its tail shows it once with a count, as a person reads it, the not-done-yet sentence referred to', () => {
    const relay = serviceSaying('relay-1', [JSON.stringify({ level: 30, msg: 'ready' }), pinoWarn, pinoWarn, pinoWarn]);
    expect(describeServices([relay])!.tails).toBe('last lines of relay-1:\n  | INFO ready\n  | WARN relay batch failed; retrying: lab 02 is not done yet (see above)  (×3)');
  });

  test('when two services print the same "not done yet" line, then it is shown once, naming both', () => {
    const first = serviceSaying('relay-1', [todo]);
    const second = serviceSaying('relay-2', [todo]);
    expect(describeServices([first, second])!.first).toEqual([`relay-1, relay-2: ${todo}`]);
  });

  test('when a service crashed, then the crash is listed with the "not done yet" lines, before the tails', () => {
    const service = serviceSaying('customer-service', ['Error: boom']);
    service.crashes.push('customer-service crashed (exit code 1); it last said: Error: boom');
    expect(describeServices([service])!.first).toEqual(['customer-service crashed (exit code 1); it last said: Error: boom']);
  });

  test('when a service ended before a check started, then that check does not show it', () => {
    const old = serviceSaying('old-service', ['bye']);
    old.endedAt = Date.now() - 1_000;
    const current = serviceSaying('current-service', ['hello']);
    const seen = servicesSince(Date.now() - 500);
    expect(seen).toContain(current);
    expect(seen).not.toContain(old);
  });

  test('when the service printed the announcement itself, then the tail leaves it out: it is shown first', () => {
    const relay = serviceSaying('relay-1', [pinoWarn, todo, pinoWarn]);
    expect(describeServices([relay])!.tails).toBe('last lines of relay-1:\n  | WARN relay batch failed; retrying: lab 02 is not done yet (see above)  (×2)');
  });

  test('when a line is not JSON, then it is kept as it is, on one line, clipped', () => {
    expect(readable('plain words')).toBe('plain words');
    expect(readable(JSON.stringify({ level: 40, msg: 'message dead-lettered', error: 'invalid:\n  → at total' }))).toBe('WARN message dead-lettered: invalid: → at total');
    expect(readable('x'.repeat(500)).length).toBe(240);
  });
});
