import { describe, expect, test } from 'vitest';
import { stepTimes, type TimedEntry } from './saga-subjects.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30) + ms);
const entry = (step: number, kind: string, messageType: string | null, ms: number): TimedEntry => ({ step, kind, messageType, at: at(ms) });

describe('where an orchestrated saga’s time goes', () => {
  test('given a saga’s history, when timed, then each step runs from the previous reply or local action to its own, and the whole span comes last', () => {
    const history = [
      entry(0, 'local', 'CreateOrder', 0),
      entry(1, 'command', 'ReserveCredit', 1),
      entry(1, 'reply', 'CreditReserved', 30),
      entry(2, 'command', 'CreateTicket', 31),
      entry(2, 'reply', 'TicketCreated', 70),
      entry(5, 'local', 'ApproveOrder', 71),
      entry(5, 'state', null, 72),
    ];
    expect(stepTimes([history])).toEqual([
      { step: '1 CreateOrder (local)', ms: [0] },
      { step: '2 until CreditReserved', ms: [30] },
      { step: '3 until TicketCreated', ms: [40] },
      { step: '6 ApproveOrder (local)', ms: [1] },
      { step: 'whole saga', ms: [72] },
    ]);
  });

  test('given several sagas, when timed, then each step collects one figure per saga', () => {
    const saga = (offset: number, reply: number) => [entry(0, 'local', 'CreateOrder', offset), entry(1, 'reply', 'CreditReserved', offset + reply)];
    expect(stepTimes([saga(0, 10), saga(100, 25), []])).toEqual([
      { step: '1 CreateOrder (local)', ms: [0, 0] },
      { step: '2 until CreditReserved', ms: [10, 25] },
      { step: 'whole saga', ms: [10, 25] },
    ]);
  });
});
