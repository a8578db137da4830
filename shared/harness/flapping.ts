import { setTimeout as pause } from 'node:timers/promises';

/** What the flapping needs of a service: to kill it, bring it back, and tell whether it runs. */
export interface Flappable {
  kill(): Promise<void>;
  restart(): Promise<unknown>;
  readonly exited: boolean;
}

export interface FlapOptions {
  cycles?: number;
  /** How long the service stays up before each kill, and down before each restart. */
  upMs?: number;
  downMs?: number;
}

/**
 * Kills and restarts `service` a few times while `attempt` is called over and over, and returns the fraction
 * of time the service was up (sampled every 10 ms) and how many attempts were made. Labs 01 and 03 both
 * measure availability with this one function, so their figures are comparable. The pauses shape the fault
 * (how long the service is up or down); no assertion waits on them.
 */
export async function whileFlapping(service: Flappable, attempt: () => Promise<void>, { cycles = 2, upMs = 400, downMs = 300 }: FlapOptions = {}): Promise<{ uptime: number; attempts: number }> {
  let running = true;
  let upSamples = 0;
  let samples = 0;
  let attempts = 0;
  const flapper = (async () => {
    try {
      for (let cycle = 0; cycle < cycles; cycle++) {
        await pause(upMs);
        await service.kill();
        await pause(downMs);
        await service.restart();
      }
    } finally {
      running = false;
    }
  })();
  const sampler = (async () => {
    while (running) {
      samples += 1;
      if (!service.exited) upSamples += 1;
      await pause(10);
    }
  })();
  const client = (async () => {
    while (running) {
      await attempt();
      attempts += 1;
    }
  })();
  await Promise.all([flapper, sampler, client]);
  return { uptime: upSamples / samples, attempts };
}
