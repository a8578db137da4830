import type { Pool, PoolClient } from '../platform/db.ts';

/** A door the demo opens when it wants: what waits on `passed` goes on once `open()` is called. */
export interface Gate {
  passed: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open };
}

/**
 * The store's code as it is, on a pool that tells the demo what it does. The lab's command handler loads a
 * stream with `pool.query` and appends in a transaction it starts with `pool.connect`, so wrapping those two
 * lets the demo stop a writer right before its append, the interleaving a race needs, without changing a
 * line of the lab's code and without sleeping.
 */
export interface WatchedPool {
  pool: Pool;
  /** Reads of the stream so far (each attempt of the handler loads once). */
  loads(): number;
  /** Appends tried so far, and how many the store refused (their transaction rolled back). */
  appends(): number;
  refused(): number;
}

export function watchedPool(pool: Pool, beforeAppend: (attempt: number) => Promise<void>): WatchedPool {
  let loads = 0;
  let appends = 0;
  let refused = 0;
  const proxy = new Proxy(pool, {
    get(target, property) {
      if (property === 'query') {
        return (...args: Parameters<Pool['query']>) => {
          loads += 1;
          return Reflect.apply(target.query, target, args) as unknown;
        };
      }
      if (property === 'connect') {
        return async () => {
          appends += 1;
          await beforeAppend(appends);
          const client = await target.connect();
          return onStatement(client, (text) => {
            if (text === 'ROLLBACK') refused += 1;
          });
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: proxy, loads: () => loads, appends: () => appends, refused: () => refused };
}

/**
 * A pool whose transactions stop right before their COMMIT until the demo opens `commit`: a writer that took
 * its position and holds it, uncommitted, for as long as the demo likes. `atCommit` runs first, inside the
 * open transaction, so the demo can say which position and transaction id the writer holds.
 */
export function poolHeldBeforeCommit(pool: Pool, commit: Gate, atCommit: (client: PoolClient) => Promise<void>): Pool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'connect') {
        return async () => {
          const client = await target.connect();
          const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
          return new Proxy(client, {
            get(c, p) {
              if (p !== 'query') {
                const value = Reflect.get(c, p, c) as unknown;
                return typeof value === 'function' ? value.bind(c) : value;
              }
              return async (...args: unknown[]) => {
                if (args[0] === 'COMMIT') {
                  await atCommit(client);
                  await commit.passed;
                }
                return query(...args);
              };
            },
          });
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A client that reports each statement's text before running it. */
function onStatement(client: PoolClient, seen: (text: unknown) => void): PoolClient {
  const query = client.query.bind(client) as (...a: unknown[]) => unknown;
  return new Proxy(client, {
    get(c, p) {
      if (p !== 'query') {
        const value = Reflect.get(c, p, c) as unknown;
        return typeof value === 'function' ? value.bind(c) : value;
      }
      return (...args: unknown[]) => {
        seen(args[0]);
        return query(...args);
      };
    },
  });
}
