/**
 * Runs up to `concurrency` tasks at once, but never two with the same key at once, and the tasks of one key in
 * the order they were added. A consumer keys each message by its aggregate (the order id): the events of one
 * order are handled one after another, as they were published, while other orders' events go on beside them.
 *
 * The rule is the whole algorithm: whenever a slot is free, start the oldest waiting task whose key nobody is
 * working on. With a concurrency of 1 that is plain arrival order.
 */
export class KeyedRunner {
  private readonly waiting: Array<{ key: string; task: () => Promise<void> }> = [];
  private readonly busyKeys = new Set<string>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** A task must not reject (the consumer's handling catches everything); if one does anyway, it lands here. */
    private readonly onUnexpectedError: (error: unknown) => void,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }

  /** Tasks started and not finished, plus tasks waiting for a slot or for their key. */
  get size(): number {
    return this.running + this.waiting.length;
  }

  /** Tasks started and not finished. */
  get inProgress(): number {
    return this.running;
  }

  add(key: string, task: () => Promise<void>): void {
    this.waiting.push({ key, task });
    this.startWhatCan();
  }

  /** Resolves once every task added so far has finished (the consumer's stop waits on it before closing). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Like `idle`, but gives up after `ms`: true if every task finished, false if some were still unfinished. */
  async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.idle().then(() => true as const), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private startWhatCan(): void {
    while (this.running < this.concurrency) {
      // The waiting list holds at most a prefetch's worth of messages, so a scan is cheap.
      const index = this.waiting.findIndex((waiting) => !this.busyKeys.has(waiting.key));
      if (index === -1) return;
      const [next] = this.waiting.splice(index, 1) as [{ key: string; task: () => Promise<void> }];
      this.running += 1;
      this.busyKeys.add(next.key);
      void this.runOne(next.key, next.task);
    }
  }

  private async runOne(key: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.onUnexpectedError(error);
    }
    this.running -= 1;
    this.busyKeys.delete(key);
    this.startWhatCan();
    if (this.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
