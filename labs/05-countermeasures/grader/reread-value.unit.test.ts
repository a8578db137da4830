import { describe, expect, test } from 'vitest';
import { importFromTarget } from '#shared/harness/target.ts';

interface OrderRead {
  total: number;
  version: number;
}
type RevisionDecision = { kind: 'write' } | { kind: 'abort'; reason: string };

const { decideRevision } = await importFromTarget<{ decideRevision: (read: OrderRead, now: OrderRead) => RevisionDecision }>('05-countermeasures', 'order-service/domain/reread-value.ts');

describe('lab 05: reread value, as a pure function', () => {
  test('reread value: given the order as Revise Order read it, when it is reread unchanged, then the revision is written', () => {
    expect(decideRevision({ total: 1_000, version: 2 }, { total: 1_000, version: 2 })).toEqual({ kind: 'write' });
  });

  test('reread value: given the order as Revise Order read it, when another revision changed it meanwhile, then the revision aborts, saying why', () => {
    const decision = decideRevision({ total: 1_000, version: 2 }, { total: 3_000, version: 3 });
    expect(decision.kind).toBe('abort');
    if (decision.kind === 'abort') expect(decision.reason, 'the reason ends up in the saga and its history').not.toBe('');
  });

  test('reread value: given the order as Revise Order read it, when its version moved but its total is the same again, then the revision still aborts (the version, not the value, says whether it changed)', () => {
    // 1 000, revised to 3 000 and back to 1 000; or a cancel begun and undone: the total alone hides both.
    expect(decideRevision({ total: 1_000, version: 2 }, { total: 1_000, version: 4 }).kind).toBe('abort');
    expect(decideRevision({ total: 1_000, version: 2 }, { total: 1_000, version: 3 }).kind).toBe('abort');
  });
});
