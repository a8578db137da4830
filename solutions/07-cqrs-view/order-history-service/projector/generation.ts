import { inTransaction, type Pool } from '#shared/platform/db.ts';
import type { Logger } from '#shared/platform/log.ts';
import { readEventLog, type LogEntry, type LogReader } from '#shared/platform/messaging/event-log.ts';
import { apply, touches } from '../domain/projection.ts';
import { resumeFrom } from '../domain/rebuild.ts';
import { loadSlice, readOffsets, readState, rejectEntry, saveOffset, saveSlice } from '../db/view-store.ts';
import { LOGS, parseEvent, type LogName } from '../messaging/contracts.ts';
import { afterCommit } from './crash-hook.ts';

export interface ProjectorDeps {
  pool: Pool;
  logger: Logger;
  amqpUrl: string;
  prefix: string;
}

/**
 * A grader's hook, for rebuilds only: the generation applies `pauseAfter` entries, then waits for `release()`.
 * It holds a rebuild half-way, so a check can ask what the view answers meanwhile, instead of hoping to
 * catch the moment by timing.
 */
export class Hold {
  private resume: (() => void) | undefined;
  readonly released: Promise<void>;
  constructor(readonly pauseAfter: number) {
    this.released = new Promise((resolve) => (this.resume = resolve));
  }
  release(): void {
    this.resume?.();
    this.resume = undefined;
  }
  get held(): boolean {
    return this.resume !== undefined;
  }
}

class Retired extends Error {}

/**
 * One generation of the view, kept up to date from every log: a reader per log, and one applier, so the
 * generation's documents are written by one transaction at a time (events of two logs may touch one order).
 * Each batch commits its documents and its log's offset together: after a SIGKILL the generation resumes
 * right after the last entry it applied, and nothing is lost or applied twice.
 */
export class GenerationProjector {
  applied = 0;
  lastError: string | undefined;
  private readers: LogReader[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly generation: number,
    private readonly deps: ProjectorDeps,
    private readonly options: { rebuilding?: boolean; hold?: Hold; onCommitted?: () => void } = {},
  ) {}

  get rebuilding(): boolean {
    return this.options.rebuilding ?? false;
  }

  /** The switch made this generation the live one. */
  promote(): void {
    this.options.rebuilding = false;
  }

  get hold(): Hold | undefined {
    return this.options.hold;
  }

  start(): void {
    const { pool, logger, amqpUrl, prefix } = this.deps;
    this.readers = LOGS.map((log) =>
      readEventLog({
        url: amqpUrl,
        prefix,
        service: log,
        name: `order-history-service generation ${this.generation} ${log}`,
        logger,
        from: async () => {
          try {
            return resumeFrom((await readOffsets(pool, this.generation))[log]);
          } catch (error) {
            this.lastError = (error as Error).message;
            throw error;
          }
        },
        handle: (entries) => this.enqueue(log, entries),
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.hold?.release();
    await Promise.all(this.readers.map((r) => r.stop()));
  }

  /** One batch at a time for the whole generation, whichever log it comes from. */
  private enqueue(log: LogName, entries: LogEntry[]): Promise<void> {
    const job = this.queue.then(() => this.applyBatch(log, entries));
    this.queue = job.catch(() => {});
    return job;
  }

  private async applyBatch(log: LogName, entries: LogEntry[]): Promise<void> {
    const rest = [...entries];
    while (rest.length > 0 && !this.stopped) {
      const hold = this.options.hold;
      const allowance = hold?.held ? Math.max(0, hold.pauseAfter - this.applied) : rest.length;
      if (allowance === 0) {
        await hold!.released;
        continue;
      }
      const chunk = rest.splice(0, allowance);
      try {
        await this.commit(log, chunk);
        this.lastError = undefined;
      } catch (error) {
        if (error instanceof Retired) {
          setImmediate(() => void this.stop());
          throw error;
        }
        this.lastError = (error as Error).message;
        this.deps.logger.warn({ err: error, generation: this.generation, log }, 'applying a batch failed; it is read again');
        throw error;
      }
      this.applied += chunk.length;
      if (!this.options.rebuilding) afterCommit(this.applied);
      this.options.onCommitted?.();
    }
  }

  private async commit(log: LogName, chunk: LogEntry[]): Promise<void> {
    const { generation } = this;
    await inTransaction(this.deps.pool, async (tx) => {
      // FOR SHARE: a switch (FOR UPDATE) waits for this batch, and a batch after the switch sees it.
      const state = await readState(tx, { lock: 'FOR SHARE' });
      if (state.active !== generation && state.rebuilding !== generation) throw new Retired(`generation ${generation} is retired`);
      const last = (await readOffsets(tx, generation))[log] ?? -1;
      let applied = last;
      for (const entry of chunk) {
        if (entry.offset <= applied) continue; // already applied: read again after a restart
        const event = parseEvent(entry.type, entry.body);
        if (typeof event === 'string') await rejectEntry(tx, generation, log, entry, event);
        else await saveSlice(tx, generation, apply(await loadSlice(tx, generation, touches(event)), event));
        applied = entry.offset;
      }
      if (applied > last) await saveOffset(tx, generation, log, applied);
    });
  }
}
