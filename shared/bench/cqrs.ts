import { resolveAndExportServices } from '../harness/services.ts';
import { percentile, table } from './stats.ts';

const RATE = Number(process.env.BENCH_CQRS_RATE ?? 40); // orders per second
const SECONDS = Number(process.env.BENCH_CQRS_SECONDS ?? 10);

/**
 * `npm run bench -- cqrs`: lab 07's reference solution under a steady order load. For each order, the lag is
 * from the POST to the answer of a query given its position (`?after=`, which returns as soon as the view
 * shows it); the baseline is the command's own round trip, in the same run. Then a rebuild replays every
 * log from offset 0: its speed in entries per second, against the rate the load produced them at.
 */
export async function benchCqrs(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { ViewWorld } = await import('../../labs/07-cqrs-view/grader/world.ts');
  const world = await ViewWorld.start();
  try {
    await world.ready();
    const customers = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await world.call('customer-service', 'POST', '/customers', { name: `bench customer ${i}`, creditLimit: 1_000_000 })).body.id as string));
    const commands: number[] = [];
    const lags: number[] = [];
    let late = 0;
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    const total = RATE * SECONDS;
    for (let i = 0; i < total; i++) {
      // A steady rate: order i leaves at i / RATE seconds, whether or not the earlier ones finished.
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        (async () => {
          const t0 = performance.now();
          const placed = await world.call('order-flow-service', 'POST', '/orders', { customerId: customers[i % customers.length], total: 100 + i, description: `bench order ${i}` });
          if (placed.status !== 201) throw new Error(`POST /orders answered ${placed.status} ${JSON.stringify(placed.body)}`);
          commands.push(performance.now() - t0);
          const read = await world.call('order-history-service', 'GET', `/orders/${placed.body.id as string}?after=${placed.body.position as string}&waitMs=10000`);
          if (read.body.caughtUp !== true) late += 1;
          lags.push(performance.now() - t0);
        })(),
      );
    }
    await Promise.all(inFlight);
    const loadSeconds = (performance.now() - started) / 1000;
    await world.converged(undefined, 60_000);
    const status = await world.status();
    const entries = Object.values(status.active?.offsets ?? {}).reduce((sum, offset) => sum + offset + 1, 0);
    const producedPerSecond = entries / loadSeconds;

    const rebuildStarted = performance.now();
    await world.call('order-history-service', 'POST', '/admin/rebuild', {});
    while ((await world.status()).rebuilding) await new Promise((resolve) => setTimeout(resolve, 10));
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    const rebuildRate = entries / rebuildSeconds;

    const p = (values: number[], q: number) => percentile(values, q).toFixed(1);
    console.log(`\ncqrs benchmark: lab 07 solution, ${total} orders at ${RATE}/s (each order's life is 5 events in 3 logs)\n`);
    console.log(
      table([
        ['measure', 'p50 ms', 'p99 ms', 'p50 ratio'],
        ['command round trip (baseline)', p(commands, 50), p(commands, 99), '1.0'],
        ['command → visible in the view', p(lags, 50), p(lags, 99), (percentile(lags, 50) / percentile(commands, 50)).toFixed(1)],
      ]),
    );
    if (late > 0) console.log(`  ${late} query(ies) gave up waiting (10 s) before the view caught up`);
    console.log(`\n${table([
      ['rebuild', 'entries', 'seconds', 'entries/s', 'ratio to load'],
      ['replay every log from offset 0', String(entries), rebuildSeconds.toFixed(2), rebuildRate.toFixed(0), `${(rebuildRate / producedPerSecond).toFixed(1)}× the ${producedPerSecond.toFixed(0)}/s the load produced`],
    ])}`);
    return 0;
  } finally {
    await world.stop();
    await services.stop();
  }
}
