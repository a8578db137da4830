import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually } from './eventually.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

// Against small TCP servers of our own: an echo server stands in for PostgreSQL or RabbitMQ.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface EchoServer {
  port: number;
  /** Everything the server received, across connections: proof the request got through. */
  received(): string;
}

async function startEchoServer(replyPrefix = ''): Promise<EchoServer> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(replyPrefix + chunk.toString());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, received: () => received };
}

async function proxyTo(server: EchoServer): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } });
  cleanups.push(() => proxy.close());
  return proxy;
}

interface Client {
  socket: net.Socket;
  /** Resolves with the bytes received once `expected` of them arrived; rejects if the socket closes first. */
  request(text: string, expected?: number): Promise<string>;
  closed: Promise<void>;
}

async function connectClient(port: number): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanups.push(async () => void socket.destroy());
  return {
    socket,
    closed,
    request(text, expected = text.length) {
      data = '';
      socket.write(text);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (data.length < expected) return;
          socket.off('data', check);
          socket.off('close', onClose);
          resolve(data);
        };
        const onClose = () => reject(new Error(`the connection closed after ${data.length} of ${expected} bytes`));
        socket.on('data', check);
        socket.once('close', onClose);
      });
    },
  };
}

describe('fault proxy', () => {
  test('when no fault is set, then bytes flow both ways unchanged', async () => {
    const proxy = await proxyTo(await startEchoServer());
    const client = await connectClient(proxy.port);
    await expect(client.request('hello')).resolves.toBe('hello');
    expect(proxy.stats).toMatchObject({ accepted: 1, bytesToTarget: 5, bytesToClient: 5 });
  });

  test('when latency is set, then each direction is delayed by it', async () => {
    const proxy = await proxyTo(await startEchoServer());
    const client = await connectClient(proxy.port);
    proxy.setLatency(100);

    const started = performance.now();
    await expect(client.request('slow')).resolves.toBe('slow');
    // There and back: two delays of 100 ms (timers may fire a millisecond early).
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);

    proxy.setLatency(0);
    const fast = performance.now();
    await client.request('fast');
    expect(performance.now() - fast).toBeLessThan(100);
  });

  test('when connections are cut, then every open connection closes and new ones still work', async () => {
    const proxy = await proxyTo(await startEchoServer());
    const first = await connectClient(proxy.port);
    const second = await connectClient(proxy.port);
    await eventually(() => proxy.connections() === 2, { description: 'both connections open' });

    expect(proxy.cut()).toBe(2);
    await Promise.all([first.closed, second.closed]);
    expect(proxy.connections()).toBe(0);

    const third = await connectClient(proxy.port);
    await expect(third.request('again')).resolves.toBe('again');
  });

  test('when the proxy refuses, then a new connection is closed at once, and accepted again after', async () => {
    const server = await startEchoServer();
    const proxy = await proxyTo(server);
    proxy.refuse(true);
    const refused = await connectClient(proxy.port);
    await expect(refused.request('anyone?')).rejects.toThrow(/closed/);
    expect(server.received()).toBe('');
    expect(proxy.stats.refused).toBe(1);

    proxy.refuse(false);
    const accepted = await connectClient(proxy.port);
    await expect(accepted.request('hello')).resolves.toBe('hello');
  });

  test('when replies are dropped, then the request reaches the target but the client only sees the connection close', async () => {
    const server = await startEchoServer();
    const proxy = await proxyTo(server);
    const client = await connectClient(proxy.port);
    let dropped = 0;
    proxy.dropResponses(true, () => (dropped += 1));

    await expect(client.request('COMMIT')).rejects.toThrow(/closed after 0 of 6 bytes/);
    expect(server.received()).toBe('COMMIT');
    expect(dropped).toBe(1);
    expect(proxy.stats.droppedResponses).toBe(1);
  });

  test('when the target changes, then new connections go to the new target', async () => {
    const proxy = await proxyTo(await startEchoServer('old:'));
    const before = await connectClient(proxy.port);
    await expect(before.request('x', 5)).resolves.toBe('old:x');

    proxy.setTarget({ host: '127.0.0.1', port: (await startEchoServer('new:')).port });
    const after = await connectClient(proxy.port);
    await expect(after.request('x', 5)).resolves.toBe('new:x');
  });

  test('when HTTP requests share a keep-alive connection, then each one is counted as a request', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } });
    cleanups.push(() => proxy.close());
    const seen: string[] = [];
    proxy.watchHttp((e) => seen.push(`${e.kind} ${e.line}`));
    for (let i = 0; i < 3; i++) expect(await (await fetch(`http://127.0.0.1:${proxy.port}/things?i=${i}`)).text()).toBe('ok');
    expect(proxy.stats.requests).toBe(3);
    expect(seen.slice(0, 2)).toEqual(['request GET /things?i=0 HTTP/1.1', 'reply HTTP/1.1 200 OK']);
    expect(proxy.stats.accepted, 'fetch reuses its connection, so connections undercount calls').toBeLessThan(3);
    server.closeAllConnections();
  });

  test('when the proxy refuses with a reset, then an HTTP client learns it at once, even on its first connection', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } });
    cleanups.push(() => proxy.close());
    proxy.refuse(true, 'reset');
    const started = Date.now();
    await expect(fetch(`http://127.0.0.1:${proxy.port}/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow('fetch failed');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(proxy.stats.refused).toBe(1);
  });
});
