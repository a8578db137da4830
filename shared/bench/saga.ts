import { resolveAndExportServices } from '../harness/services.ts';
import { percentile, table } from './stats.ts';

const SAGAS_AT = { 1: Number(process.env.BENCH_SAGAS_SERIAL ?? 200), 20: Number(process.env.BENCH_SAGAS_PARALLEL ?? 1_000) } as const;
/** How often a client polls GET /orders/:id: the latency figures are accurate to about this much. */
const POLL_MS = 5;

/**
 * `npm run bench -- saga`: lab 03's reference solution end to end. Each client creates an order (202) and
 * polls it until APPROVED, as a real client of the asynchronous API would; latency is from the POST to the
 * first poll that sees APPROVED.
 */
export async function benchSaga(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { SagaWorld } = await import('../../labs/03-choreography/grader/world.ts');
  const world = await SagaWorld.start({ consumers: 4 });
  const rows: string[][] = [['concurrent clients', 'sagas', 'sagas/s', 'p50 ms', 'p99 ms']];
  try {
    const customers = await Promise.all(Array.from({ length: 20 }, () => world.createCustomer(1_000_000_000)));
    for (const [clients, sagas] of Object.entries(SAGAS_AT).map(([c, n]) => [Number(c), n] as const)) {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      const client = async (index: number) => {
        while (next < sagas) {
          next += 1;
          const t0 = performance.now();
          const { status, body } = await world.createOrder(customers[index % customers.length]!, 1);
          if (status !== 202) throw new Error(`POST /orders answered ${status} ${JSON.stringify(body)}`);
          for (;;) {
            const order = await world.order(body.id as string);
            if (order.state === 'APPROVED') break;
            if (order.state !== 'APPROVAL_PENDING') throw new Error(`order ended ${order.state}`);
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          }
          latencies.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
      const seconds = (performance.now() - started) / 1000;
      rows.push([String(clients), String(latencies.length), (latencies.length / seconds).toFixed(0), percentile(latencies, 50).toFixed(1), percentile(latencies, 99).toFixed(1)]);
    }
  } finally {
    await world.stop();
    await services.stop();
  }
  console.log(`\nsaga benchmark: Create Order by choreography (lab 03 solution), POST → APPROVED seen by polling every ${POLL_MS} ms\n`);
  console.log(table(rows));
  return 0;
}
