import path from 'node:path';
import { createNamespace } from '../harness/namespace.ts';
import { resolveAndExportServices } from '../harness/services.ts';
import { Timeline } from '../harness/timeline.ts';
import { createPool, migrate, type Pool } from '../platform/db.ts';
import { handleCommand, loadOrder, type CommandResult } from '../../solutions/08-event-sourcing/order-service/app/handle-command.ts';
import type { OrderCommand, OrderState } from '../../solutions/08-event-sourcing/order-service/domain/events.ts';
import { naiveReaderGap } from './event-sourcing-gap.ts';
import { gate, watchedPool } from './event-sourcing-hooks.ts';
import { printTimelineLive } from './live-timeline.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../solutions/08-event-sourcing/order-service/db/migrations');
const STORE = 'event store';

/**
 * `npm run demo -- event-sourcing`: lab 08's reference event store, run in this process against a database
 * of its own, in two acts, every interleaving forced by the demo (no sleeps, no luck).
 * 1. Two writers race on one order's stream: both load it at the same version and decide; the first append
 *    wins, the second is refused, reloads and decides again, twice (once it is appended after the winner,
 *    once the fresh state makes it refuse the command).
 * 2. The naive reader's gap: a transaction takes a position and is held open, a later one commits; the
 *    naive global-position reader moves its checkpoint past the first, which then commits and is never read.
 *    The lab's publisher, given the same interleaving, waits for it and sends both to RabbitMQ, in order.
 */
export async function eventSourcingDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  const namespace = await createNamespace('demo-08');
  const pool = createPool(await namespace.createDatabase('orders'), 6);
  const files: string[] = [];
  try {
    await migrate(pool, MIGRATIONS);
    console.log('\nAct 1: two writers race on one stream. Each loads the order, decides, and appends "after version N".\n');
    const raceOk = await act(files, 'race', 'two writers on one stream', async (timeline) => {
      const lines = await race(pool, timeline, 'both add a line', ADD('lemonade', 2, 250), ADD('tiramisu', 1, 650));
      const confirm = await race(pool, timeline, 'one confirms, one adds a line', { type: 'ConfirmOrder', at: new Date().toISOString() }, ADD('espresso', 1, 200));
      return lines && confirm;
    });
    console.log("\nAct 2: the naive reader's gap, and the lab's publisher, which does not fall into it.\n");
    const gapOk = await act(files, 'gap', "the naive reader's gap and the snapshot filter", (timeline) => naiveReaderGap(pool, namespace, timeline));
    console.log(`\nsequence diagrams of the run: ${files.join(', ')}`);
    return raceOk && gapOk ? 0 : 1;
  } finally {
    await pool.end();
    await namespace.drop();
    await services.stop();
  }
}

/** One act on a timeline of its own, printed as it happens and written to runs/ as a sequence diagram. */
async function act(files: string[], name: string, title: string, work: (timeline: Timeline) => Promise<boolean>): Promise<boolean> {
  const timeline = new Timeline();
  const stopPrinting = printTimelineLive(timeline, { everyMs: 50 });
  try {
    return await work(timeline);
  } finally {
    stopPrinting();
    files.push(path.relative(process.cwd(), timeline.writeMarkdown(`demo-event-sourcing-${name}`, `demo: ${title}`)));
  }
}

const ADD = (sku: string, quantity: number, unitPrice: number): OrderCommand => ({ type: 'AddLine', line: { sku, quantity, unitPrice } });

/**
 * One race on a fresh order holding one line: writer A runs `first`, writer B runs `second`. Both load the
 * stream and reach their append; A's append goes first; then B's. Returns whether the stream ended as
 * optimistic concurrency promises: A's event at the next version, and B's decided again on A's result.
 */
async function race(pool: Pool, timeline: Timeline, title: string, first: OrderCommand, second: OrderCommand): Promise<boolean> {
  const orderId = crypto.randomUUID();
  const at = new Date().toISOString();
  await handleCommand(pool, orderId, { type: 'PlaceOrder', orderId, customerId: crypto.randomUUID(), at });
  await handleCommand(pool, orderId, { type: 'AddLine', line: { sku: 'pizza', quantity: 1, unitPrice: 900 } });
  const start = await loadOrder(pool, orderId);
  timeline.note(`${title}: order ${orderId.slice(0, 8)} is ${describe(start.state)} at version ${start.version}`);

  // Each writer stops at its first append until the demo lets it through; later attempts go straight on.
  const reachedAppend = [gate(), gate()];
  const mayAppend = [gate(), gate()];
  const writers = [first, second].map((command, i) =>
    watchedPool(pool, async (attempt) => {
      if (attempt > 1) return;
      reachedAppend[i]!.open();
      await mayAppend[i]!.passed;
    }),
  );
  const names = ['writer A', 'writer B'];
  const results = [first, second].map((command, i) => handleCommand(writers[i]!.pool, orderId, command));
  await Promise.all(reachedAppend.map((g) => g.passed));
  for (const [i, command] of [first, second].entries()) {
    timeline.record({ from: names[i]!, to: STORE, label: `load: version ${start.version}, ${describe(start.state)}; decide ${command.type}; about to append after version ${start.version}` });
  }

  mayAppend[0]!.open();
  const a = await results[0]!;
  timeline.record({ from: STORE, to: names[0]!, label: outcome(a) });
  mayAppend[1]!.open();
  const b = await results[1]!;
  const refusedFirst = writers[1]!.refused() >= 1;
  timeline.record({
    from: STORE,
    to: names[1]!,
    label: refusedFirst ? `B's append after version ${start.version} refused: conflict, the stream moved on` : 'B appended at once (no conflict?)',
    failed: refusedFirst,
  });
  timeline.record({ from: names[1]!, to: STORE, label: `B reloads (${writers[1]!.loads()} loads in all) and decides ${second.type} again: ${outcome(b)}` });

  const end = await loadOrder(pool, orderId);
  timeline.note(`order ${orderId.slice(0, 8)} ends ${describe(end.state)} at version ${end.version}`);
  const aWon = a.kind === 'done' && a.version === start.version + 1;
  const bDecidedAgain = refusedFirst && writers[1]!.loads() === 2 && (b.kind === 'rejected' || (b.kind === 'done' && b.version === start.version + 2));
  return aWon && bDecidedAgain && end.version === (b.kind === 'done' ? b.version : a.version);
}

function outcome(result: CommandResult): string {
  switch (result.kind) {
    case 'done':
      return `${result.events.map((e) => e.type).join(', ')} written as version ${result.version}`;
    case 'rejected':
      return `refused by decide: ${result.reason}`;
    case 'conflict':
      return `gave up after ${result.attempts} conflicts`;
  }
}

function describe(state: OrderState): string {
  if (state.status === 'none') return 'not placed';
  const lines = state.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ');
  return `${state.status.toUpperCase()} (${lines || 'no lines'})`;
}
