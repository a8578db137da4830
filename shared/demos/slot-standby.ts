import type { RunningService } from '../harness/child-service.ts';
import { eventually } from '../harness/eventually.ts';
import { resolveAndExportServices } from '../harness/services.ts';

/**
 * `npm run demo -- slot-standby`: lab 02b's reference solution, narrated in four acts.
 * 1. One WAL relay streams from the replication slot: the slot is active and barely behind.
 * 2. The relay is SIGKILLed and orders keep committing: nobody reads the slot, and the WAL the server must
 *    keep for it grows with every batch (a forgotten slot fills the disk this way).
 * 3. Two relays start: one takes the slot and drains the backlog from the last acknowledged position, the
 *    other stands by (a slot has one reader at a time).
 * 4. The streaming relay is SIGKILLed mid-traffic: the standby takes over, and every order still takes
 *    effect exactly once at customer-service.
 */
export async function slotStandbyDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { OutboxWorld } = await import('../../labs/02-outbox/grader/world.ts');
  const world = await OutboxWorld.start({
    lab: '02b-log-tailing',
    relayEntry: 'wal-relay/index.ts',
    servicesFrom: { lab: '02-outbox', tree: 'solutions' },
    relayEnv: { RELAY_STANDBY_RETRY_MS: '200' },
    runRelayOnceFirst: true,
  });
  const started = Date.now();
  const say = (text: string) => console.log(`+${String(Date.now() - started).padStart(6)} ms  ${text}`);
  const slot = async () => {
    const rows = await world.queryOrders<{ slot_name: string; active: boolean; held: string; behind: string }>(
      `SELECT slot_name, active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS held,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS behind
         FROM pg_replication_slots WHERE database = current_database()`,
    );
    const s = rows[0]!;
    return { name: s.slot_name, active: s.active, held: Number(s.held), behind: Number(s.behind) };
  };
  const showSlot = async (why: string) => {
    const s = await slot();
    say(`slot ${s.active ? 'ACTIVE  ' : 'INACTIVE'}  WAL held for it ${kB(s.held)}, written since its last acknowledgement ${kB(s.behind)}  (${why})`);
    return s;
  };
  const customerId = await world.createCustomer();
  let committed = 0;
  const createOrders = async (count: number) => {
    const c = await world.createOrders([customerId], count, { concurrency: 4 });
    committed += c.get(customerId)!.orders;
  };
  const applied = async () => (await world.customer(customerId)).ordersSeen;
  const showEffects = async () => say(`customer-service has applied ${await applied()} of the ${committed} orders committed`);
  const streaming = (relays: RunningService[]) => relays.find((r) => !r.exited && lastState(r) === 'streaming');

  try {
    console.log(`The slot: ${(await slot()).name}. "WAL held" is what PostgreSQL must keep for it (from its restart_lsn);`);
    console.log('"written since its last acknowledgement" counts from its confirmed_flush_lsn. Both count every database of the server.\n');
    console.log('Act 1: one relay streams from the slot.');
    const first = await world.startRelay();
    await createOrders(20);
    await eventually(async () => (await applied()) === committed, { timeoutMs: 10_000, description: 'the first 20 orders to reach customer-service' });
    await showEffects();
    await showSlot('the relay acknowledges each commit once RabbitMQ confirmed it');

    console.log('\nAct 2: the relay is SIGKILLed; orders keep committing and the slot keeps their WAL.');
    await first.kill();
    say('relay SIGKILLed');
    const down: number[] = [];
    for (let batch = 1; batch <= 4; batch++) {
      await createOrders(50);
      down.push((await showSlot(`after ${committed} orders, ${batch * 50} of them with no relay`)).held);
    }
    await showEffects();
    const grew = down.every((held, i) => i === 0 || held > down[i - 1]!);
    say(grew ? 'the WAL held for the slot grew with every batch: PostgreSQL may not recycle it until a relay acknowledges' : 'the WAL held did not grow with every batch this time: look at the WAL written since the last acknowledgement');

    console.log('\nAct 3: two relays start; one takes the slot and drains the backlog, the other stands by.');
    const pair = [await world.startRelay(), await world.startRelay()];
    await eventually(async () => pair.every((r) => lastState(r) !== undefined), { timeoutMs: 15_000, description: 'both relays to stream or stand by' });
    const active = streaming(pair)!;
    const standby = pair.find((r) => r !== active)!;
    say(`${active.name} streams from the slot; ${standby.name} says "${lastLine(standby, 'standing by')}"`);
    await eventually(async () => (await applied()) === committed, { timeoutMs: 20_000, description: 'the backlog to reach customer-service' });
    await showEffects();
    await showSlot('customer-service caught up from the last acknowledged position');

    console.log(`\nAct 4: ${active.name} is SIGKILLed while orders flow; ${standby.name} takes the slot over.`);
    const traffic = createOrders(100);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await active.kill();
    say(`${active.name} SIGKILLed`);
    await eventually(async () => lastState(standby) === 'streaming', { timeoutMs: 15_000, description: `${standby.name} to take the slot over` });
    say(`${standby.name}: "${lastLine(standby, 'streaming from the slot')}"`);
    await traffic;
    const { expected, actual } = await world.effects(new Map([[customerId, { orders: committed, total: 0 }]]));
    const ids = world.tap.messages.map((m) => m.id);
    await showSlot('after the takeover');
    const exact = actual[0]!.ordersSeen === expected[0]!.ordersSeen;
    console.log(
      `\n${committed} orders committed; ${ids.length} messages crossed the broker (${ids.length - new Set(ids).size} resent after a crash, absorbed by the idempotent consumer);` +
        ` customer-service applied ${actual[0]!.ordersSeen}: ${exact ? 'nothing lost, nothing doubled' : 'NOT exactly once'}.`,
    );
    return exact ? 0 : 1;
  } finally {
    await world.stop();
    await services.stop();
  }
}

function kB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).padStart(8)} kB`;
}

/** What a relay said last about the slot: it streams from it, or it stands by while another one does. */
function lastState(relay: RunningService): 'streaming' | 'standby' | undefined {
  for (let i = relay.output.length - 1; i >= 0; i--) {
    const line = relay.output[i]!;
    if (line.includes('streaming from the slot')) return 'streaming';
    if (line.includes('standing by')) return 'standby';
  }
  return undefined;
}

/** The message of the last log line containing `text`, without the JSON around it. */
function lastLine(relay: RunningService, text: string): string {
  const line = [...relay.output].reverse().find((l) => l.includes(text)) ?? text;
  try {
    return String((JSON.parse(line.slice(line.indexOf('{'))) as { msg?: string }).msg ?? text);
  } catch {
    return text;
  }
}
