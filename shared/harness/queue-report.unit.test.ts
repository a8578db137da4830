import { describe, expect, test } from 'vitest';
import { describeWatchedQueues, formatQueueReport } from './queue-report.ts';
import type { QueueStats } from './rabbit-admin.ts';

const ns = 'kit_05_20261130t201500_abc123';
const queue = (name: string, ready: number, unacked: number, consumers: number): QueueStats => ({ name: `${ns}.${name}`, ready, unacked, consumers, stream: false });

describe('where messages waited, as a failing check shows it', () => {
  test('when one queue holds messages nobody reads, then it comes first, with its counts and "no consumer"', () => {
    const report = formatQueueReport(ns, [
      queue('orders.stock-reserved', 0, 0, 1),
      queue('payments.order-created', 0, 2, 1),
      queue('orders.payment-succeeded', 3, 0, 0),
      queue('orders.payment-succeeded.retry', 0, 0, 0),
      queue('orders.payment-succeeded.dead', 0, 0, 0),
    ]);
    expect(report.split('\n')).toEqual([
      'where messages waited in RabbitMQ (counts sampled every few seconds):',
      '  queue                     ready  unacked  consumers',
      '  orders.payment-succeeded      3        0          0  <- no consumer',
      '  payments.order-created        0        2          1  <- held by a consumer, not acked',
      '  3 more queues, empty',
    ]);
  });

  test('when dead-letter and retry queues hold messages, then they are named for what they are', () => {
    const report = formatQueueReport(ns, [queue('a.dead', 1, 0, 0), queue('a.retry', 2, 0, 0), queue('a', 0, 0, 1)]);
    expect(report).toContain('a.retry      2        0          0  <- waiting to be retried');
    expect(report).toContain('a.dead       1        0          0  <- dead letters');
    expect(report.indexOf('a.retry')).toBeLessThan(report.indexOf('a.dead'));
  });

  test('when a stream holds its history, then it gets no line of its own: its messages are kept, not waiting', () => {
    const report = formatQueueReport(ns, [{ ...queue('customer-service.events.log', 8, 0, 0), stream: true }, queue('kitchen-service.commands', 1, 0, 0), queue('a', 0, 0, 1)]);
    expect(report.split('\n').slice(2)).toEqual([
      '  kitchen-service.commands      1        0          0  <- no consumer',
      '  1 more queue, empty; 1 stream not counted: a stream keeps every message',
    ]);
  });

  test('when a queue without a consumer is empty, then it still gets a line: a service should be reading it', () => {
    expect(formatQueueReport(ns, [queue('orders.created', 0, 0, 0)])).toContain('orders.created      0        0          0  <- no consumer');
  });

  test('when every queue is empty and read, then one line says no message was waiting in RabbitMQ', () => {
    const report = formatQueueReport(ns, [queue('a', 0, 0, 1), queue('a.dead', 0, 0, 0), { ...queue('a.events.log', 8, 0, 0), stream: true }]);
    expect(report).toBe('where messages waited in RabbitMQ: nowhere (2 queues, all empty, each one a service reads with a consumer; 1 stream not counted: a stream keeps every message)');
  });

  test('when two worlds run in one process, then each report names its namespace', () => {
    expect(formatQueueReport(ns, [queue('a', 1, 0, 1)], { named: true }).split('\n')[0]).toBe(`where messages waited in RabbitMQ, ${ns} (counts sampled every few seconds):`);
  });

  test('when the namespace has no queue at all (a world without messaging), then there is no report', () => {
    expect(formatQueueReport(ns, [])).toBe('');
  });

  test('when forty queues hold messages, then the report stays short: ten lines and a count of the rest', () => {
    const many = Array.from({ length: 40 }, (_, i) => queue(`q${String(i).padStart(2, '0')}`, i + 1, 0, 1));
    const lines = formatQueueReport(ns, many).split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[2]).toMatch(/^ {2}q39 +40 /);
    expect(lines.at(-1)).toBe('  ... and 30 more with messages or without a consumer');
  });

  test('when no world runs in this process, then there is no report', async () => {
    expect(await describeWatchedQueues()).toBeUndefined();
  });
});
