import { describe, expect, test } from 'vitest';
import { cpuSecondsFromStat, cpuUsed, sampleCpu } from './cpu.ts';

describe('benchmark CPU accounting', () => {
  test('when a /proc stat line is read, then utime and stime are added and turned into seconds', () => {
    // A command name with a space and a parenthesis, as a process may choose: fields count from the last ')'.
    const stat = '4242 (node (relay) x) S 1 4242 4242 0 -1 4194304 1500 0 0 0 250 125 0 0 20 0 11 0 123456 1000000 5000';
    expect(cpuSecondsFromStat(stat)).toBeCloseTo(3.75);
  });

  test('when two samples are compared, then groups missing from either are undefined, not zero', () => {
    expect(cpuUsed({ broker: 1, database: 2, publisher: 3 }, { broker: 1.5, database: 4, publisher: 3.25 })).toEqual({ broker: 0.5, database: 2, publisher: 0.25 });
    expect(cpuUsed({ broker: 1 }, { broker: 2, database: 3 })).toEqual({ broker: 1, database: undefined, publisher: undefined });
  });

  test.runIf(process.platform === 'linux')('when this process burns CPU, then /proc agrees with node\'s own account of it', () => {
    // Spin until node itself says 300 ms of CPU were used: a wall-clock spin gets less CPU on a busy machine.
    const cpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const before = sampleCpu(process.pid);
    const start = cpuMs();
    let spin = 0;
    while (cpuMs() - start < 300) spin += Math.sqrt(spin + 1);
    const byNode = (cpuMs() - start) / 1000;
    const byProc = cpuUsed(before, sampleCpu(process.pid)).publisher;
    expect(spin).toBeGreaterThan(0);
    // /proc counts in ticks of 10 ms: allow a few ticks either way.
    expect(byProc).toBeGreaterThan(byNode - 0.05);
    expect(byProc).toBeLessThan(byNode + 0.05);
  });
});
