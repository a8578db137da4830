import { describe, expect, test } from 'vitest';
import { findLab, loadLabs, UsageError } from './manifest.ts';

describe('the lab manifest', () => {
  const labs = loadLabs();

  test('when it is loaded, then ids are unique, in course order, and every lab has hints and a docs page', () => {
    const ids = labs.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const lab of labs) expect(lab.folder.startsWith(`${lab.id}-`), lab.folder).toBe(true);
  });

  test('when a person types 1, 01 or the folder name, then the same lab is found', () => {
    expect(findLab(labs, '1').id).toBe('01');
    expect(findLab(labs, '01').id).toBe('01');
    expect(findLab(labs, '01-sync-mesh').id).toBe('01');
  });

  test('when the lab does not exist, then the error lists the labs to choose from', () => {
    expect(() => findLab(labs, '42')).toThrow(UsageError);
    expect(() => findLab(labs, '42')).toThrow(/01\s+The synchronous service mesh/);
  });
});
