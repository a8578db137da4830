import path from 'node:path';
import { UsageError } from '../cli/manifest.ts';
import { resolveAndExportServices } from '../harness/services.ts';
import { printTimelineLive } from './live-timeline.ts';

type Scenarios = typeof import('../../labs/05-countermeasures/grader/scenarios.ts') &
  typeof import('../../labs/05-countermeasures/grader/credit-scenarios.ts') &
  typeof import('../../labs/05-countermeasures/grader/reread-value.ts');
type World = import('../../labs/05-countermeasures/grader/world.ts').CountermeasuresWorld;

/** Lab 05's rows: the scenario that forces each anomaly, and how to read what it saw. */
const ANOMALIES: Record<string, { countermeasure: string; run: (s: Scenarios, w: World) => Promise<string> }> = {
  'lost-update': {
    countermeasure: 'semantic lock',
    run: async (s, w) => {
      const seen = await s.cancelWhileCreating(w);
      return `cancel while APPROVAL_PENDING answered ${seen.cancelWhilePending.status}${seen.cancelWhilePending.retryAfter ? ` (Retry-After ${seen.cancelWhilePending.retryAfter})` : ''}; the order ends ${seen.order} with ${seen.creditReserved} credit reserved and its payment ${seen.authorization}`;
    },
  },
  'dirty-read': {
    countermeasure: 'pessimistic view',
    run: async (s, w) => {
      const seen = await s.spendWhileCancelling(w);
      return `while A's cancel was held, ${seen.creditWhileCancelling} was reserved; order B ended ${seen.orderB}; the refused cancel was ${seen.cancelSaga.state}; the customer ends with ${seen.creditAfter} reserved for a limit of ${seen.limit}`;
    },
  },
  'out-of-order': {
    countermeasure: 'version file',
    run: async (s, w) => {
      const seen = await s.cancelOvertakesAuthorize(w);
      return `the late AuthorizePayment was answered ${seen.lateAuthorizeReply}; the order's authorization is ${seen.authorization ?? 'absent'}`;
    },
  },
  'by-value': {
    countermeasure: 'by value policy',
    run: async (_s, w) => {
      const customerId = await w.createCustomer(200_000);
      const big = await w.acceptedOrder(customerId, 80_000);
      await w.ended(big.sagaId);
      const before = (await w.order(big.orderId)).state;
      if (before !== 'CONFIRMATION_PENDING') return `the 800.00 order ended its saga ${before}, with no confirmation step`;
      const confirmed = await w.confirm(big.orderId);
      return `the 800.00 order ended its saga CONFIRMATION_PENDING (locked, its credit and payment held); POST /orders/:id/confirm answered ${confirmed.status}, and it is ${(await w.order(big.orderId)).state}`;
    },
  },
  commutative: {
    countermeasure: 'commutative updates',
    run: async (s, w) => {
      const race = await s.reservationsRace(w);
      const release = await s.reserveWhileReleasing(w);
      return [
        `two orders of ${race.amount} for a limit of ${race.limit}, A parked between its read and its write: A ${race.orderA}, B ${race.orderB}, ${race.creditReserved} reserved`,
        `A's release parked while B reserved ${release.totalB}: A ${release.orderA}, B ${release.orderB}, ${release.creditReserved} reserved`,
      ].join('; ');
    },
  },
  'reread-value': {
    countermeasure: 'reread value',
    run: async (s, w) => {
      const seen = await s.reviseWhileRevising(w);
      return `two revisions read a total of ${seen.readTotal}; the one held before its write asked ${seen.firstTotal} and ended ${seen.first.state}, the other asked ${seen.secondTotal}; the order ends with a total of ${seen.order.total} and ${seen.creditReserved} credit reserved`;
    },
  },
};

/**
 * `npm run demo -- anomaly <name>`: one of lab 05's interleavings, forced with a pause point, first on the
 * naive variant (the anomaly happens), then on the reference solution (its countermeasure prevents it).
 * Every command and reply is printed as it crosses the broker.
 */
export async function anomalyDemo([name]: string[]): Promise<number> {
  const row = name ? ANOMALIES[name] : undefined;
  if (!row) throw new UsageError(`say which anomaly: npm run demo -- anomaly <${Object.keys(ANOMALIES).join('|')}>`);
  const services = await resolveAndExportServices();
  process.env.KIT_TARGET = 'solutions';
  const scenarios = {
    ...(await import('../../labs/05-countermeasures/grader/scenarios.ts')),
    ...(await import('../../labs/05-countermeasures/grader/credit-scenarios.ts')),
    ...(await import('../../labs/05-countermeasures/grader/reread-value.ts')),
  };
  const { CountermeasuresWorld } = await import('../../labs/05-countermeasures/grader/world.ts');
  const worlds = await Promise.all([CountermeasuresWorld.start('naive'), CountermeasuresWorld.start('target')]);
  const verdicts: string[] = [];
  try {
    for (const [world, label] of [
      [worlds[0], `BEFORE: the naive variant, without the ${row.countermeasure}`],
      [worlds[1], `AFTER: the reference solution, with the ${row.countermeasure}`],
    ] as const) {
      console.log(`\n=== ${label} ===`);
      world.timeline.clear(); // the services' start-up is not the story
      const stopPrinting = printTimelineLive(world.timeline, { notes: true });
      const verdict = await row.run(scenarios, world);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the last messages reach the printer
      stopPrinting();
      const file = world.timeline.writeMarkdown(`demo-anomaly-${name}-${label.startsWith('BEFORE') ? 'before' : 'after'}`, `demo: ${name}, ${label}`);
      console.log(`\n${label.split(':')[0]}: ${verdict}\nsequence diagram: ${path.relative(process.cwd(), file)}`);
      verdicts.push(`${label.split(':')[0]}: ${verdict}`);
    }
    console.log(`\n${verdicts.join('\n')}`);
    return 0;
  } finally {
    await Promise.all(worlds.map((w) => w.stop()));
    await services.stop();
  }
}
