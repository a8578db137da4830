import path from 'node:path';
import type { HttpExchange } from '../harness/fault-proxy.ts';
import { loadMutants, materializeMutant } from '../harness/mutants.ts';
import { resolveAndExportServices } from '../harness/services.ts';

const LAB = '06-api-composition';
/** Each provider call takes this long in the first part: large enough to see on a character-wide scale. */
const CALL_MS = 300;
const MS_PER_CHAR = 25;

interface Call {
  provider: string;
  path: string;
  start: number;
  end?: number;
}

/**
 * `npm run demo -- composition`: lab 06's reference solution, narrated. Part 1 asks for the same order details
 * from a composer that awaits each call in turn (the `serial-calls` mutant) and from the solution, with every
 * provider slowed down, and draws each provider call on a time axis: a staircase (SUM) against calls side by
 * side (MAX). Part 2 takes kitchen-service down and shows its circuit opening, then closing after one probe.
 */
export async function compositionDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const serial = (await loadMutants(LAB)).find((m) => m.id === 'serial-calls')!;
  const serialDir = materializeMutant(LAB, serial);
  const { CompositionWorld, PROVIDERS, body } = await import('../../labs/06-api-composition/grader/world.ts');
  const world = await CompositionWorld.start({ breakerFailures: 3, halfOpenAfterMs: 1_500 }, [{ name: 'serial-composer', dir: serialDir }]);
  try {
    const { orderId } = await world.seedOrder(await world.createCustomer('Ada'));
    const calls: Call[] = [];
    for (const provider of PROVIDERS) {
      world.proxy(provider).watchHttp((e: HttpExchange) => {
        if (e.kind === 'request') calls.push({ provider, path: e.line.split(' ')[1]!, start: e.at });
        else {
          const open = calls.find((c) => c.provider === provider && c.end === undefined);
          // The reply reaches the composer after the proxy's delay: that is when the call ends for it.
          if (open) open.end = e.at + e.delayMs;
        }
      });
    }

    console.log(`\nPart 1: GET /order-details/:id with every provider answering in about ${CALL_MS} ms\n`);
    for (const provider of PROVIDERS) world.delay(provider, CALL_MS);
    for (const [composer, title] of [
      ['serial-composer', 'one call after the other (await, await, await, await)'],
      ['composer-service', 'along the graph (kitchen and accounting at once, customer chained on the order)'],
    ] as const) {
      calls.length = 0;
      const started = Date.now();
      const answer = await world.details(orderId, 10_000, composer);
      console.log(`${title}: ${answer.status} in ${answer.ms} ms`);
      console.log(drawCalls(calls, started));
      console.log('');
    }

    console.log(`Part 2: kitchen-service goes down (refused connections); the circuit opens after 3 failed calls\n`);
    world.heal();
    world.down('kitchen');
    const start = Date.now();
    let healed = false;
    for (let i = 0; i < 30; i++) {
      const before = world.attempts('kitchen');
      const answer = await world.details(orderId);
      const kitchenCalls = world.attempts('kitchen') - before;
      const degraded = (body(answer).degraded as string[] | undefined) ?? [];
      const why = body(answer).fallbacks?.kitchen?.reason as string | undefined;
      console.log(
        `+${String(Date.now() - start).padStart(5)} ms  ${answer.status} in ${String(answer.ms).padStart(3)} ms  degraded ${JSON.stringify(degraded).padEnd(12)}  kitchen-service saw ${kitchenCalls} call(s)${why ? `  (${why})` : ''}`,
      );
      if (i === 9) {
        world.heal();
        healed = true;
        console.log(`+${String(Date.now() - start).padStart(5)} ms  ── kitchen-service is back; the circuit stays open until its half-open delay (1.5 s) has passed`);
      }
      if (healed && degraded.length === 0 && kitchenCalls === 1) {
        console.log('                 ── the probe succeeded: the circuit is closed again');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const file = world.timeline.writeMarkdown('demo-composition', 'demo: API composition, serial against parallel, and a circuit breaker');
    console.log(`\nsequence diagram of the run: ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    await world.stop();
    await services.stop();
  }
}

/** One line per call: a bar from its start to its end, on a scale of MS_PER_CHAR milliseconds a character. */
function drawCalls(calls: Call[], started: number): string {
  return calls
    .map((c) => {
      const from = Math.round((c.start - started) / MS_PER_CHAR);
      const to = Math.max(from + 1, Math.round(((c.end ?? c.start) - started) / MS_PER_CHAR));
      const bar = `${' '.repeat(from)}${'█'.repeat(to - from)}`;
      return `  ${c.provider.padEnd(11)}|${bar.padEnd(56)}| ${String(c.start - started).padStart(4)} → ${c.end === undefined ? '   ?' : String(c.end - started).padStart(4)} ms  ${c.path}`;
    })
    .join('\n');
}
