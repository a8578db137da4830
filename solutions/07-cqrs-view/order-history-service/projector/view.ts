import { inTransaction } from '#shared/platform/db.ts';
import { caughtUp } from '../domain/rebuild.ts';
import { dropGeneration, readOffsets, readState } from '../db/view-store.ts';
import { LOGS } from '../messaging/contracts.ts';
import { GenerationProjector, Hold, type ProjectorDeps } from './generation.ts';

/**
 * The view's generations: the live one, and during a rebuild the next one, filled from the logs' start
 * while the live one keeps answering. The rebuilt one replaces it only once it caught up (see
 * domain/rebuild.ts), in one transaction that also drops the old generation.
 */
export class ViewProjection {
  private readonly projectors = new Map<number, GenerationProjector>();
  private switchTimer: NodeJS.Timeout | undefined;
  private switching = false;

  private constructor(private readonly deps: ProjectorDeps) {}

  static async start(deps: ProjectorDeps): Promise<ViewProjection> {
    const view = new ViewProjection(deps);
    const state = await readState(deps.pool);
    view.run(state.active);
    // A rebuild that a crash interrupted goes on from its own offsets.
    if (state.rebuilding !== null) view.run(state.rebuilding, { rebuilding: true });
    return view;
  }

  /** Starts a rebuild unless one runs; `pauseAfter` holds it after that many entries (see Hold). */
  async rebuild({ pauseAfter }: { pauseAfter?: number } = {}): Promise<{ generation: number; started: boolean }> {
    const outcome = await inTransaction(this.deps.pool, async (tx) => {
      const state = await readState(tx, { lock: 'FOR UPDATE' });
      if (state.rebuilding !== null) return { generation: state.rebuilding, started: false };
      const generation = state.active + 1;
      await dropGeneration(tx, generation); // leftovers of an older rebuild of that number, if any
      await tx.query('UPDATE view_state SET rebuilding_generation = $1', [generation]);
      return { generation, started: true };
    });
    if (outcome.started) this.run(outcome.generation, { rebuilding: true, ...(pauseAfter !== undefined ? { hold: new Hold(pauseAfter) } : {}) });
    return outcome;
  }

  /** Lets a held rebuild go on. */
  release(): boolean {
    const held = [...this.projectors.values()].filter((p) => p.hold?.held);
    for (const p of held) p.hold!.release();
    return held.length > 0;
  }

  async status() {
    const state = await readState(this.deps.pool);
    const describe = async (generation: number) => ({
      generation,
      offsets: await readOffsets(this.deps.pool, generation),
      appliedSinceStart: this.projectors.get(generation)?.applied ?? 0,
      held: this.projectors.get(generation)?.hold?.held ?? false,
      lastError: this.projectors.get(generation)?.lastError ?? null,
    });
    return { active: await describe(state.active), rebuilding: state.rebuilding === null ? null : await describe(state.rebuilding) };
  }

  /** Entries the live generation applied since this process started (the crash hook counts from here). */
  get liveApplied(): number {
    return Math.min(...[...this.projectors.values()].filter((p) => !p.rebuilding).map((p) => p.applied));
  }

  async stop(): Promise<void> {
    clearInterval(this.switchTimer);
    await Promise.all([...this.projectors.values()].map((p) => p.stop()));
  }

  private run(generation: number, { rebuilding = false, hold }: { rebuilding?: boolean; hold?: Hold } = {}): void {
    const projector = new GenerationProjector(generation, this.deps, { rebuilding, ...(hold ? { hold } : {}), ...(rebuilding ? { onCommitted: () => void this.trySwitch() } : {}) });
    this.projectors.set(generation, projector);
    projector.start();
    // Also on a timer: a rebuild that reached the end of idle logs commits nothing more that would ask.
    if (rebuilding) this.switchTimer ??= setInterval(() => void this.trySwitch(), 100);
  }

  private async trySwitch(): Promise<void> {
    if (this.switching) return;
    this.switching = true;
    try {
      const retired = await inTransaction(this.deps.pool, async (tx) => {
        const state = await readState(tx, { lock: 'FOR UPDATE' });
        if (state.rebuilding === null) return undefined;
        const [rebuilt, live] = await Promise.all([readOffsets(tx, state.rebuilding), readOffsets(tx, state.active)]);
        if (!caughtUp(LOGS, rebuilt, live)) return undefined;
        await tx.query('UPDATE view_state SET active_generation = $1, rebuilding_generation = NULL', [state.rebuilding]);
        await dropGeneration(tx, state.active);
        this.deps.logger.info({ from: state.active, to: state.rebuilding }, 'the rebuilt view caught up: switched');
        return state.active;
      });
      if (retired !== undefined) {
        clearInterval(this.switchTimer);
        this.switchTimer = undefined;
        for (const [generation, projector] of this.projectors) if (generation !== retired) projector.promote();
        const old = this.projectors.get(retired);
        this.projectors.delete(retired);
        await old?.stop();
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'the switch check failed; trying again');
    } finally {
      this.switching = false;
    }
  }
}
