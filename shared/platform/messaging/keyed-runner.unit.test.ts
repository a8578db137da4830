import { describe, expect, test } from 'vitest';
import { KeyedRunner } from './keyed-runner.ts';

/** A task that starts when the runner says and finishes when the test says. */
function gatedTasks() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<void>((resolve) => {
      started.push(name);
      gates.set(name, resolve);
    });
  const finish = async (name: string) => {
    gates.get(name)?.();
    // Let the runner see the task end and start what may start next.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  return { started, task, finish };
}

const failOnError = (error: unknown) => {
  throw error;
};

describe('keyed runner', () => {
  test('when tasks of different keys are added, then up to the concurrency run at once', async () => {
    const runner = new KeyedRunner(2, failOnError);
    const { started, task, finish } = gatedTasks();
    runner.add('a', task('a1'));
    runner.add('b', task('b1'));
    runner.add('c', task('c1'));
    expect(started).toEqual(['a1', 'b1']);
    await finish('b1');
    expect(started).toEqual(['a1', 'b1', 'c1']);
  });

  test('when tasks share a key, then the next starts only after the previous finished, in the order they were added', async () => {
    const runner = new KeyedRunner(4, failOnError);
    const { started, task, finish } = gatedTasks();
    runner.add('a', task('a1'));
    runner.add('a', task('a2'));
    runner.add('b', task('b1'));
    runner.add('a', task('a3'));
    expect(started).toEqual(['a1', 'b1']);
    await finish('a1');
    expect(started).toEqual(['a1', 'b1', 'a2']);
    await finish('a2');
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  test('when the concurrency is 1, then tasks run in plain arrival order, whatever their keys', async () => {
    const runner = new KeyedRunner(1, failOnError);
    const { started, task, finish } = gatedTasks();
    runner.add('a', task('a1'));
    runner.add('a', task('a2'));
    runner.add('b', task('b1'));
    for (const name of ['a1', 'a2', 'b1']) await finish(name);
    expect(started).toEqual(['a1', 'a2', 'b1']);
  });

  test('when tasks are still running or waiting, then idle resolves only once the last one finished', async () => {
    const runner = new KeyedRunner(2, failOnError);
    const { task, finish } = gatedTasks();
    runner.add('a', task('a1'));
    runner.add('a', task('a2'));
    let idle = false;
    void runner.idle().then(() => (idle = true));
    await finish('a1');
    expect(idle).toBe(false);
    await finish('a2');
    expect(idle).toBe(true);
    expect(runner.size).toBe(0);
  });

  test('when a task rejects, then the error is reported and its key is free for the next task', async () => {
    const errors: unknown[] = [];
    const runner = new KeyedRunner(1, (error) => errors.push(error));
    const { started, task, finish } = gatedTasks();
    runner.add('a', () => Promise.reject(new Error('a bug')));
    runner.add('a', task('a2'));
    await finish('none');
    expect(errors).toEqual([new Error('a bug')]);
    expect(started).toEqual(['a2']);
  });

  test('when a task never finishes, then idleWithin gives up with false and counts it as in progress', async () => {
    const runner = new KeyedRunner(1, failOnError);
    const { task } = gatedTasks();
    runner.add('a', task('stuck'));
    runner.add('a', task('behind it'));
    expect(await runner.idleWithin(20)).toBe(false);
    expect({ inProgress: runner.inProgress, size: runner.size }).toEqual({ inProgress: 1, size: 2 });
  });

  test('when every task finishes, then idleWithin resolves true', async () => {
    const runner = new KeyedRunner(2, failOnError);
    const { task, finish } = gatedTasks();
    runner.add('a', task('a1'));
    const idle = runner.idleWithin(60_000);
    await finish('a1');
    expect(await idle).toBe(true);
  });

  test('when the concurrency is not a whole number of at least 1, then the runner refuses it', () => {
    expect(() => new KeyedRunner(0, failOnError)).toThrow(/at least 1/);
    expect(() => new KeyedRunner(1.5, failOnError)).toThrow(/whole number/);
  });
});
