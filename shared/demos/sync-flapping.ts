import { describeAvailability, readAvailability } from '../harness/availability-record.ts';
import { whileFlapping } from '../harness/flapping.ts';
import { resolveAndExportServices } from '../harness/services.ts';
import { UsageError } from '../cli/manifest.ts';

/** One line of the live view: what the client saw during the last slice of time. */
interface Slice {
  created: number;
  refused: number;
  other: number;
}

const SLICE_MS = 250;

/**
 * `npm run demo -- sync-flapping`: lab 01's reference solution while customer-service is SIGKILLed and
 * restarted again and again. A client keeps creating orders; every quarter second a line shows whether
 * customer-service runs and what the orders got (201 created, 503 refused). The bars line up: order-service
 * is up exactly when the service it calls synchronously is. At the end, the availability it measured beside
 * customer-service's uptime, and lab 03's figure (measured the same way) when its grader has run here.
 * `--cycles N` sets how many times customer-service goes down (default 4).
 */
export async function syncFlappingDemo(args: string[]): Promise<number> {
  const cycles = args.includes('--cycles') ? Number(args[args.indexOf('--cycles') + 1]) : 4;
  if (!Number.isInteger(cycles) || cycles < 1) throw new UsageError('--cycles takes a whole number, for example `npm run demo -- sync-flapping --cycles 3`');
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { Mesh } = await import('../../labs/01-sync-mesh/grader/mesh.ts');
  const mesh = await Mesh.start();
  const start = Date.now();
  let slice: Slice = { created: 0, refused: 0, other: 0 };
  const totals: Slice = { created: 0, refused: 0, other: 0 };
  const printSlice = () => {
    const up = !mesh.customerService.exited;
    const orders = slice.created + slice.refused + slice.other;
    // A bar of up to 20 characters: █ for the share of orders created, · for the share refused.
    const width = Math.min(20, orders);
    const filled = orders === 0 ? 0 : Math.round((slice.created / orders) * width);
    const bar = '█'.repeat(filled) + '·'.repeat(width - filled);
    const extra = slice.other > 0 ? `, ${slice.other} other` : '';
    console.log(
      `+${String(Date.now() - start).padStart(5)} ms  customer-service ${up ? 'UP  ' : 'DOWN'}  ${String(orders).padStart(3)} orders: ${String(slice.created).padStart(3)} created (201), ${String(slice.refused).padStart(3)} refused (503)${extra}  ${bar}`,
    );
    slice = { created: 0, refused: 0, other: 0 };
  };
  let ticker: NodeJS.Timeout | undefined;
  try {
    const customerId = await mesh.createCustomer(100_000_000);
    console.log(`A client creates orders one after another; customer-service is SIGKILLed and restarted ${cycles} times.\n`);
    ticker = setInterval(printSlice, SLICE_MS);
    const { uptime, attempts } = await whileFlapping(
      mesh.customerService,
      async () => {
        const { status } = await mesh.createOrder(customerId, 1, 2_000);
        const kind = status === 201 ? 'created' : status === 503 ? 'refused' : 'other';
        slice[kind] += 1;
        totals[kind] += 1;
      },
      { cycles, upMs: 1_000, downMs: 1_000 },
    );
    clearInterval(ticker);
    printSlice();
    const availability = totals.created / attempts;
    const stored = await mesh.storedOrders(customerId);
    console.log(`\nlab 01 (synchronous call): order creation succeeded for ${describeAvailability({ availability, uptime, attempts, target: '', at: '' })}.`);
    console.log('(A refusal is quick, so the client makes more attempts while customer-service is down: per attempt, availability looks even lower than per second.)');
    console.log(`order-service stored ${stored} orders, one for each 201; every other answer was a 503${totals.other > 0 ? ` except ${totals.other}` : ''}.`);
    // Lab 03's grader records its figure too; it is worth showing only when it was measured on the solution.
    const lab03 = readAvailability()['03'];
    console.log(
      lab03?.target === 'solutions'
        ? `lab 03 (choreography saga, reference solution, ${lab03.at.slice(0, 16)}): ${describeAvailability(lab03)}: it accepts orders while customer-service is down.`
        : `For lab 03's figure measured the same way on its reference solution, run \`npm run capture-runs -- 03\` (it grades the solution last), then this demo again.`,
    );
    return stored === totals.created && totals.other === 0 ? 0 : 1;
  } finally {
    clearInterval(ticker);
    await mesh.stop();
    await services.stop();
  }
}
