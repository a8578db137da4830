import { loadMutants, materializeMutant } from '../harness/mutants.ts';
import { resolveAndExportServices } from '../harness/services.ts';
import { percentile, table } from './stats.ts';

const LAB = '06-api-composition';
/** Injected delay per provider call, and how many timed requests at each. */
const ROUNDS: Array<{ delayMs: number; requests: number }> = [
  { delayMs: 0, requests: Number(process.env.BENCH_REQUESTS ?? 300) },
  { delayMs: 50, requests: 40 },
  { delayMs: 200, requests: 12 },
];
const WARMUP = 30;

/**
 * `npm run bench -- composition`: lab 06's reference solution. For each delay injected on every provider call
 * (by the fault proxies), the baseline is one direct GET to one provider through its proxy, measured in the
 * same run; the composed answer is compared with it. Along the graph the answer needs two calls in a row
 * (order, then customer), so its ideal is 2 × the baseline, and what it takes beyond that is the composer's own
 * overhead: its HTTP hop, the four calls' bookkeeping, the join. The serial composer (the `serial-calls`
 * mutant) shows the SUM for comparison.
 */
export async function benchComposition(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const serialDir = materializeMutant(LAB, (await loadMutants(LAB)).find((m) => m.id === 'serial-calls')!);
  const { CompositionWorld, PROVIDERS } = await import('../../labs/06-api-composition/grader/world.ts');
  const world = await CompositionWorld.start({ timeoutMs: 5_000, deadlineMs: 10_000 }, [{ name: 'serial-composer', dir: serialDir }]);
  // Thousands of timed requests would only fill the timeline.
  world.world.options.recordHttp = false;
  const rows: string[][] = [['delay per call', 'requests', 'direct p50', 'composed p50', 'composed p99', 'ratio', 'overhead p50', 'serial p50', 'ratio']];
  try {
    const { orderId } = await world.seedOrder(await world.createCustomer('bench'));
    const direct = () => timed(() => fetch(`http://127.0.0.1:${world.proxy('order').port}/orders/${orderId}`).then((r) => r.text()));
    const composed = (composer: string) => timed(() => world.details(orderId, 30_000, composer).then((a) => ensure200(a.status)));
    for (let i = 0; i < WARMUP; i++) await Promise.all([direct(), composed('composer-service'), composed('serial-composer')]);
    for (const { delayMs, requests } of ROUNDS) {
      for (const p of PROVIDERS) world.delay(p, delayMs);
      const d: number[] = [];
      const c: number[] = [];
      const s: number[] = [];
      // Interleaved, so a hiccup of the machine falls on every contender alike.
      for (let i = 0; i < requests; i++) {
        d.push(await direct());
        c.push(await composed('composer-service'));
        if (i < Math.max(5, requests / 4)) s.push(await composed('serial-composer'));
      }
      const [dp, cp, sp] = [percentile(d, 50), percentile(c, 50), percentile(s, 50)];
      rows.push([`${delayMs} ms`, String(requests), ms(dp), ms(cp), ms(percentile(c, 99)), `${(cp / dp).toFixed(1)}×`, ms(cp - 2 * dp), ms(sp), `${(sp / dp).toFixed(1)}×`]);
    }
  } finally {
    await world.stop();
    await services.stop();
  }
  console.log('\ncomposition benchmark: GET /order-details/:id (lab 06 solution), four providers behind fault proxies\n');
  console.log(table(rows));
  console.log(
    '\nratio: against one direct call to one provider in the same run. Along the graph the ideal is 2× (order, then customer);' +
      '\none call after the other, 4×. overhead: composed − 2 × direct, the composer\'s own cost per answer.',
  );
  return 0;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function ensure200(status: number): void {
  if (status !== 200) throw new Error(`the composer answered ${status}`);
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
