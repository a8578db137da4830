import net from 'node:net';
import type { Timeline } from './timeline.ts';

export interface Endpoint {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  target: Endpoint;
  /** 0 (the default) lets the OS pick a free port; read it from `proxy.port`. */
  listenPort?: number;
  /** Named in timeline notes ("customer-db proxy: cut 2 connections"). */
  name?: string;
  /** When given, every fault injected is noted on it, so a failing grader's diagram shows when it happened. */
  timeline?: Timeline;
}

export interface FaultProxyStats {
  accepted: number;
  refused: number;
  /** Connections destroyed by `cut()`. */
  cut: number;
  /** Connections closed by `dropResponses` when their reply arrived. */
  droppedResponses: number;
  bytesToTarget: number;
  bytesToClient: number;
  /**
   * HTTP/1.1 requests that reached the proxy (request lines seen from clients, on any connection): what an
   * HTTP caller sent, whether or not the target answered. A refused connection carries no request: see `refused`.
   */
  requests: number;
}

/** An HTTP request line a client sent, or the status line of a reply, as the proxy forwarded it. */
export interface HttpExchange {
  kind: 'request' | 'reply';
  /** `GET /tickets/… HTTP/1.1`, or `HTTP/1.1 200 OK`. */
  line: string;
  /** Date.now() when the proxy received it; it passes it on `delayMs` later (the latency set then). */
  at: number;
  delayMs: number;
  /** Which connection, so a reply can be matched with its request (one request at a time per connection). */
  connection: number;
}

export interface FaultProxy {
  /** Point the service here instead of at the target. */
  readonly port: number;
  /** Delays every chunk, both directions, by `ms` (order kept). 0 turns it off. */
  setLatency(ms: number): void;
  /** Destroys every open connection now, as a crashed peer or a pulled cable would. Returns how many. */
  cut(): number;
  /**
   * While on, new connections are accepted and closed at once (like a port nobody listens on). `reset` closes
   * them with a TCP reset, as the OS answers a port nobody listens on; the default closes them politely (FIN),
   * which some HTTP clients take a while to notice on their first connection to a host.
   */
  refuse(on: boolean, how?: 'close' | 'reset'): void;
  /**
   * While on, requests still reach the target but its replies never come back: at the first byte of a reply
   * the connection is closed. The target did the work (committed the transaction, created the order), the
   * caller saw only a dropped connection. `onFirstResponseByte` runs for each connection closed this way.
   */
  dropResponses(on: boolean, onFirstResponseByte?: () => void): void;
  /** New connections go to this target; open ones stay where they are. */
  setTarget(target: Endpoint): void;
  /** Open connections right now. */
  connections(): number;
  /** Calls `listener` for each HTTP request line and reply status line; returns the function that stops it. */
  watchHttp(listener: (exchange: HttpExchange) => void): () => void;
  readonly stats: FaultProxyStats;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A TCP proxy that injects faults between a service and what it talks to (PostgreSQL, RabbitMQ, another
 * service). Graders use it to prove a lab survives what the network really does: slow links, cut
 * connections, refused connections, and replies lost after the work was done.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let target = options.target;
  let latencyMs = 0;
  let refusing: false | 'close' | 'reset' = false;
  let dropping: { onFirstResponseByte?: () => void } | undefined;
  const open = new Set<Pair>();
  const watchers = new Set<(exchange: HttpExchange) => void>();
  let connectionCount = 0;
  const stats: FaultProxyStats = { accepted: 0, refused: 0, cut: 0, droppedResponses: 0, bytesToTarget: 0, bytesToClient: 0, requests: 0 };
  const name = options.name ?? `proxy to ${options.target.host}:${options.target.port}`;
  const note = (what: string) => options.timeline?.note(`${name}: ${what}`);

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (refusing) {
      stats.refused += 1;
      if (refusing === 'reset') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    stats.accepted += 1;
    const connection = (connectionCount += 1);
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const pair: Pair = { client, upstream };
    open.add(pair);
    // Latency is ours to inject; Nagle's algorithm would add its own on top.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    const toTarget = delayedWriter(upstream, () => latencyMs);
    const toClient = delayedWriter(client, () => latencyMs);
    client.on('data', (chunk: Buffer) => {
      stats.bytesToTarget += chunk.length;
      const requests = requestLines(chunk);
      stats.requests += requests.length;
      for (const line of requests) for (const watcher of watchers) watcher({ kind: 'request', line, at: Date.now(), delayMs: latencyMs, connection });
      toTarget.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropping) {
        const { onFirstResponseByte } = dropping;
        stats.droppedResponses += 1;
        note('dropped a reply and closed the connection');
        destroyBoth();
        onFirstResponseByte?.();
        return;
      }
      stats.bytesToClient += chunk.length;
      if (watchers.size > 0) {
        const status = STATUS_LINE.exec(chunk.toString('latin1', 0, 64))?.[0];
        if (status) for (const watcher of watchers) watcher({ kind: 'reply', line: status, at: Date.now(), delayMs: latencyMs, connection });
      }
      toClient.write(chunk);
    });
    // Half-close (FIN) is forwarded after the chunks still waiting out their latency.
    client.on('end', () => toTarget.end());
    upstream.on('end', () => toClient.end());
    // When one side goes away, bytes it already sent still arrive (as they would over a real network),
    // then the other side is closed too. An error is always followed by 'close'.
    client.on('error', () => {});
    upstream.on('error', () => {});
    const closed = () => {
      if (client.destroyed && upstream.destroyed) open.delete(pair);
    };
    client.on('close', () => {
      toTarget.closeAfterFlush();
      closed();
    });
    upstream.on('close', () => {
      toClient.closeAfterFlush();
      closed();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: a test proxy has no business being reachable from the network.
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
      note(`latency ${latencyMs} ms`);
    },
    cut() {
      // Unlike a peer closing, a cut loses whatever was still in flight: both sockets are destroyed at once.
      const pairs = [...open];
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      stats.cut += pairs.length;
      note(`cut ${pairs.length} connection(s)`);
      return pairs.length;
    },
    refuse(on, how = 'close') {
      refusing = on ? how : false;
      note(on ? 'refusing new connections' : 'accepting connections again');
    },
    dropResponses(on, onFirstResponseByte) {
      dropping = on ? (onFirstResponseByte ? { onFirstResponseByte } : {}) : undefined;
      note(on ? 'dropping replies' : 'forwarding replies again');
    },
    setTarget(next) {
      target = next;
      note(`target is now ${next.host}:${next.port}`);
    },
    connections: () => open.size,
    watchHttp(listener) {
      watchers.add(listener);
      return () => void watchers.delete(listener);
    },
    get stats() {
      return { ...stats };
    },
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Request lines in a chunk a client sent (`GET /tickets?orderIds=… HTTP/1.1`). Keep-alive connections carry
 * many requests, so connections alone cannot count calls. A request head arrives whole in one chunk from
 * Node's HTTP clients; for other protocols (PostgreSQL, AMQP) this counts nothing.
 */
const REQUEST_LINE = /(?<=^|\r\n)(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ HTTP\/1\.[01](?=\r\n)/g;
const STATUS_LINE = /^HTTP\/1\.[01] \d{3}[^\r\n]*/;
function requestLines(chunk: Buffer): string[] {
  return chunk.toString('latin1').match(REQUEST_LINE) ?? [];
}

/**
 * Writes chunks to a socket after `latency()` ms each, in order. Each chunk gets its own due time; a queue
 * (rather than one setTimeout per chunk) keeps the order even when the latency changes mid-stream.
 */
function delayedWriter(socket: net.Socket, latency: () => number) {
  type Item = Buffer | 'end' | 'close';
  const queue: Array<{ due: number; item: Item }> = [];
  let timer: NodeJS.Timeout | undefined;

  const send = (item: Item) => {
    if (socket.destroyed) return;
    if (item === 'end') socket.end();
    else if (item === 'close') socket.end(() => socket.destroy());
    else socket.write(item);
  };

  const flush = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.due <= now) send(queue.shift()!.item);
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };

  const push = (item: Item) => {
    const delay = item === 'close' ? 0 : latency();
    if (queue.length === 0 && delay === 0) return send(item);
    // Never due before the item ahead of it, so lowering the latency cannot reorder the stream.
    const due = Math.max(Date.now() + delay, queue.at(-1)?.due ?? 0);
    queue.push({ due, item });
    if (!timer) timer = setTimeout(flush, Math.max(0, due - Date.now()));
  };

  return {
    write: (chunk: Buffer) => push(chunk),
    /** Forwards a half-close (FIN). */
    end: () => push('end'),
    /** The other side is gone: deliver what is queued, then close. */
    closeAfterFlush: () => push('close'),
  };
}
