import { UsageError } from './manifest.ts';

/**
 * Demos and benchmarks by name. Each lab that has one adds it here, so `npm run demo` lists them all.
 * `run` receives the arguments after the name and returns an exit code.
 */
export interface Scenario {
  name: string;
  description: string;
  run(args: string[]): Promise<number>;
}

export const demos: Scenario[] = [
  {
    name: 'outbox-crash',
    description: 'lab 02: the relay is SIGKILLed mid-stream; the timeline shows every order still applied exactly once',
    run: async () => (await import('../demos/outbox-crash.ts')).outboxCrashDemo(),
  },
  {
    name: 'sync-flapping',
    description: 'lab 01: order creation live while customer-service is SIGKILLed and restarted; availability against uptime',
    run: async (args) => (await import('../demos/sync-flapping.ts')).syncFlappingDemo(args),
  },
  {
    name: 'slot-standby',
    description: 'lab 02b: the replication slot holds WAL while the relay is down; a standby relay takes the slot over',
    run: async () => (await import('../demos/slot-standby.ts')).slotStandbyDemo(),
  },
  {
    name: 'choreography',
    description: 'lab 03: the live message timeline of three orders through the choreography saga, one rejected',
    run: async () => (await import('../demos/choreography.ts')).choreographyDemo(),
  },
  {
    name: 'orchestration',
    description: 'lab 04: one saga declined at the pivot compensating last step first, one finishing after the orchestrator is SIGKILLed',
    run: async () => (await import('../demos/orchestration.ts')).orchestrationDemo(),
  },
  {
    name: 'anomaly',
    description: 'lab 05: `anomaly lost-update|dirty-read|out-of-order|by-value|commutative|reread-value`, one interleaving forced on the naive sagas (the anomaly happens), then with its countermeasure',
    run: async (args) => (await import('../demos/anomaly.ts')).anomalyDemo(args),
  },
  {
    name: 'composition',
    description: 'lab 06: one query composed one call after the other, then along the graph, on a time axis; a provider down and its circuit opening',
    run: async () => (await import('../demos/composition.ts')).compositionDemo(),
  },
  {
    name: 'cqrs',
    description: 'lab 07: events reach the order-history view out of order and twice, the view converges; then a rebuild held half-way and switched in',
    run: async () => (await import('../demos/cqrs.ts')).cqrsDemo(),
  },
  {
    name: 'event-sourcing',
    description: "lab 08: two writers race on one stream (one wins, the other reloads and decides again); then the naive reader's gap forced, and the publisher that misses nothing",
    run: async () => (await import('../demos/event-sourcing.ts')).eventSourcingDemo(),
  },
];
export const benches: Scenario[] = [
  {
    name: 'outbox',
    description: 'raw confirmed publishing vs the polling relay (lab 02) and the WAL relay (lab 02b): rate and latency',
    run: async () => (await import('../bench/outbox.ts')).benchOutbox(),
  },
  {
    name: 'saga',
    description: 'labs 03 and 04: choreography vs orchestration, sagas/s, p50/p99, messages and CPU per saga, where the time goes',
    run: async () => (await import('../bench/saga.ts')).benchSaga(),
  },
  {
    name: 'composition',
    description: 'lab 06: composed latency against injected provider delays, the composer\'s overhead in ms, ratios to a direct call (and to the serial composer)',
    run: async () => (await import('../bench/composition.ts')).benchComposition(),
  },
  {
    name: 'cqrs',
    description: 'lab 07: command → view lag p50/p99 under a steady order load (against the command itself), and rebuild speed in entries/s',
    run: async () => (await import('../bench/cqrs.ts')).benchCqrs(),
  },
];

export function runDemo(args: string[]): Promise<number> {
  return pick('demo', demos, args);
}

export function runBench(args: string[]): Promise<number> {
  return pick('bench', benches, args);
}

function pick(kind: string, scenarios: Scenario[], [name, ...rest]: string[]): Promise<number> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) {
    const list = scenarios.length ? scenarios.map((s) => `  npm run ${kind} -- ${s.name.padEnd(16)} ${s.description}`).join('\n') : '  (none yet: they arrive with the labs that need them)';
    throw new UsageError(`${name ? `there is no ${kind} "${name}". ` : ''}The ${kind === 'bench' ? 'benchmarks' : 'demos'} are:\n${list}`);
  }
  return scenario.run(rest);
}
