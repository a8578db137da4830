import path from 'node:path';
import { resolveAndExportServices } from '../harness/services.ts';
import { printTimelineLive } from './live-timeline.ts';

/**
 * `npm run demo -- choreography`: lab 03's reference solution, narrated. A few orders go through the Create
 * Order saga; one asks for more than the customer's credit and is rejected. Every event that crosses the
 * broker is printed as it happens, then drawn as a sequence diagram.
 */
export async function choreographyDemo(): Promise<number> {
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const { SagaWorld } = await import('../../labs/03-choreography/grader/world.ts');
  const world = await SagaWorld.start({ consumers: 1 });
  const stopPrinting = printTimelineLive(world.timeline, { notes: false });
  try {
    const alice = await world.createCustomer(5_000);
    const orders = [
      { label: 'order A: 1,200 of a 5,000 limit', total: 1_200 },
      { label: 'order B: 3,000 more', total: 3_000 },
      { label: 'order C: 2,000 more, over the limit', total: 2_000 },
    ];
    const ids: string[] = [];
    for (const o of orders) {
      const answer = await world.createOrder(alice, o.total);
      world.timeline.record({ from: 'client', to: 'order-service', label: `POST /orders (${o.label}) → ${answer.status} ${String(answer.body.state)}` });
      ids.push(answer.body.id as string);
    }
    const settled = await world.settledAll(ids);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last events reach the printer
    stopPrinting();
    console.log('\nHow the sagas ended (GET /orders/:id):');
    settled.forEach((order, i) => console.log(`  ${orders[i]!.label}: ${order.state}${order.rejectionReason ? ` (${order.rejectionReason})` : ''}`));
    console.log(`  customer's reserved credit: ${(await world.customer(alice)).creditReserved} of 5000`);
    const file = world.timeline.writeMarkdown('demo-choreography', 'demo: the Create Order saga by choreography');
    console.log(`\nsequence diagram of the run: ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    stopPrinting();
    await world.stop();
    await services.stop();
  }
}
