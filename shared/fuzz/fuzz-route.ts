import fc from 'fast-check';
import type { RunningService } from '#shared/harness/child-service.ts';
import type { Body } from './arbitraries.ts';

/**
 * The fixed seed of every fuzz run, so a failure replays. fast-check prints it (with the failing input) in the
 * error; `FUZZ_SEED=<n>` replays another run, `FUZZ_RUNS=<n>` changes how many requests each route gets.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** `FUZZ_SURVEY=1` prints every failing request and goes on, instead of stopping at the first: all the holes at once. */
const SURVEY = process.env.FUZZ_SURVEY === '1';

export interface Sent {
  method: 'GET' | 'POST';
  path: string;
  body?: Body;
}

export interface Received {
  status: number;
  body: Record<string, unknown>;
  /** False when the answer was not JSON at all (then `body` holds the start of its text). */
  json: boolean;
}

export interface RouteFuzz {
  /** Like `POST /customers/:id/credit-reservations`: the method, then the route with `:name` parameters. */
  route: string;
  port: number;
  /** Every process of the lab: none may die, whichever one the request reaches in the end. */
  services: RunningService[];
  /** One generator per path parameter, each giving an already encoded path segment. */
  params?: Record<string, fc.Arbitrary<string>>;
  body?: fc.Arbitrary<Body>;
  /** What a 4xx may name in `field`: the route's body fields, its path parameters, or `(body)` (`(request)`, for a request Node's parser refuses, is always allowed). */
  fields: string[];
  /** Called for every 2xx, to record what must then have happened. */
  onAccepted?: (sent: Sent, received: Received) => void | Promise<void>;
}

/**
 * Sends `FUZZ_RUNS` generated requests to one route and checks, for each: an answer came (no hang, no reset),
 * it is not a 5xx, it is a JSON object, a 4xx has an `error` sentence and a `field` the route has, and every
 * process of the lab is still running.
 */
export async function fuzzRoute(spec: RouteFuzz): Promise<void> {
  const [method, pattern] = spec.route.split(' ') as [Sent['method'], string];
  const request = fc.record({
    params: fc.record(spec.params ?? {}),
    body: spec.body ?? fc.constant(undefined),
  });
  await fc.assert(
    fc.asyncProperty(request, async ({ params, body }) => {
      const sent: Sent = { method, path: pattern.replace(/:(\w+)/g, (_, name: string) => params[name]!), ...(body ? { body } : {}) };
      const received = await send(spec.port, sent);
      try {
        const problem = judge(spec, received);
        if (problem) throw new Error(problem);
        if (received.status < 300) await spec.onAccepted?.(sent, received);
      } catch (error) {
        const report = `${spec.route}: ${(error as Error).message}\n  sent ${describe(sent)}\n  got ${received.status} ${JSON.stringify(received.body).slice(0, 300)}`;
        if (!SURVEY) throw new Error(report, { cause: error });
        console.log(`FUZZ ${report.replaceAll('\n', ' ')}`);
      }
    }),
    { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
  );
}

function judge(spec: RouteFuzz, { status, body, json }: Received): string | undefined {
  const dead = spec.services.filter((s) => s.exited).map((s) => s.name);
  if (dead.length > 0) return `${dead.join(', ')} died`;
  if (status === 0) return `no answer (${String(body.error)})`;
  if (status >= 500) return `a ${status}`;
  if (!json || typeof body !== 'object' || body === null || Array.isArray(body)) return 'the answer is not a JSON object';
  if (status < 400) return undefined;
  if (typeof body.error !== 'string' || body.error === '') return 'a 4xx without an error sentence';
  if (typeof body.field !== 'string' || ![...spec.fields, '(request)'].includes(body.field)) return `a 4xx naming ${JSON.stringify(body.field)}, not one of ${spec.fields.join(', ')}`;
  return undefined;
}

export async function send(port: number, { method, path, body }: Sent): Promise<Received> {
  const payload = body === undefined ? undefined : 'raw' in body ? body.raw : JSON.stringify(body.json);
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      body: payload,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, json: true };
    } catch {
      return { status: response.status, body: { text: text.slice(0, 200) }, json: false };
    }
  } catch (error) {
    return { status: 0, body: { error: (error as Error).message }, json: false };
  }
}

function describe({ method, path, body }: Sent): string {
  const shown = body === undefined ? '' : ' ' + ('raw' in body ? `raw ${JSON.stringify(body.raw.slice(0, 200))}` : JSON.stringify(body.json).slice(0, 300));
  return `${method} ${path.slice(0, 200)}${shown}`;
}
