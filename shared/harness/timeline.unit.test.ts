import { describe, expect, test } from 'vitest';
import { Timeline } from './timeline.ts';

describe('timeline', () => {
  test('when entries are recorded out of order, then the diagram lists them by time with offsets from the first', () => {
    const t = new Timeline();
    t.record({ from: 'order-service', to: 'customer-service', label: 'POST /customers/1/credit-reservations', at: 1_010 });
    t.record({ from: 'grader', to: 'order-service', label: 'POST /orders', at: 1_000 });
    t.record({ from: 'customer-service', to: 'order-service', label: 'reset', at: 1_020, failed: true });
    const lines = t.toMermaid().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => l.includes('->>') || l.includes('-x'))).toEqual([
      '  grader->>order_service: +0 ms POST /orders',
      '  order_service->>customer_service: +10 ms POST /customers/1/credit-reservations',
      '  customer_service-xorder_service: +20 ms reset',
    ]);
  });

  test('when a label holds characters mermaid treats specially, then they are neutralized', () => {
    const t = new Timeline();
    t.record({ from: 'a', to: 'b', label: 'x;y#z\nw', at: 0 });
    expect(t.toMermaid()).toContain('a->>b: +0 ms x y z w');
  });
});
