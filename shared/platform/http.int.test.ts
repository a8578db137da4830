import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createApp, HttpError, listen, parseInput } from './http.ts';
import { createLogger } from './log.ts';
import { LabTodo } from './todo.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  const logger = createLogger('http-test', 'silent');
  const app = createApp(logger, (a) => {
    a.post('/orders/:orderId/lines/:lineId', (req, res) => {
      const { orderId, lineId } = parseInput(z.object({ orderId: z.string(), lineId: z.string() }), req.params);
      const input = parseInput(z.object({ items: z.array(z.object({ qty: z.number().int().positive() })) }), req.body);
      res.json({ orderId, lineId, ...input });
    });
    a.post('/things', (req, res) => {
      const input = parseInput(z.object({ name: z.string().min(1), count: z.number().int().positive() }), req.body);
      res.status(201).json(input);
    });
    a.get('/conflict', () => {
      throw new HttpError(409, 'already there', { field: 'id' });
    });
    a.get('/todo', () => {
      throw new LabTodo('99', 'the thing');
    });
    a.get('/boom', async () => {
      throw new Error('secret internals');
    });
  });
  server = await listen(app, logger, 0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(method: string, path: string, body?: string) {
  const response = await fetch(base + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('HTTP platform', () => {
  test('when a field is invalid, then the answer is 400 and names the field', async () => {
    expect(await call('POST', '/things', JSON.stringify({ name: 'a', count: 0 }))).toMatchObject({ status: 400, body: { field: 'count' } });
  });

  test('when the body is not JSON, then the answer is 400 and says so, not 500', async () => {
    expect(await call('POST', '/things', '{not json')).toEqual({ status: 400, body: { error: 'the body is not valid JSON', field: '(body)' } });
  });

  test('when a field inside a list is invalid, then the field is named by its path, as a client writes it', async () => {
    const answer = await call('POST', '/orders/o1/lines/l1', JSON.stringify({ items: [{ qty: 1 }, { qty: 0 }] }));
    expect(answer).toMatchObject({ status: 400, body: { field: 'items[1].qty' } });
    expect(String(answer.body.error)).toMatch(/^invalid items\[1\]\.qty: /);
  });

  test('when the body is not an object, then the answer is 400 naming the body', async () => {
    expect(await call('POST', '/things', '[1]')).toMatchObject({ status: 400, body: { field: '(body)', error: expect.stringMatching(/^invalid body: /) } });
  });

  test('when the body is too large, then the answer is 413 naming the body', async () => {
    expect(await call('POST', '/things', JSON.stringify({ name: 'x'.repeat(200_000), count: 1 }))).toMatchObject({ status: 413, body: { field: '(body)' } });
  });

  test('when a path parameter is not valid percent-encoding, then the answer is 400 naming that parameter, not the body', async () => {
    for (const bad of ['%E0%A4%A', '%zz', '%C0%80', '%']) {
      expect(await call('POST', `/orders/o1/lines/${bad}`, JSON.stringify({ items: [] }))).toEqual({
        status: 400,
        body: { error: 'path parameter lineId is not valid percent-encoded UTF-8', field: 'lineId' },
      });
    }
    expect(await call('POST', '/orders/%FF/lines/l1', '{}')).toMatchObject({ status: 400, body: { field: 'orderId' } });
  });

  test('when the URL is longer than Node reads, then the answer is still JSON in the error shape', async () => {
    expect(await call('GET', `/things/${'a'.repeat(20_000)}`)).toMatchObject({ status: 431, body: { field: '(request)' } });
  });

  test('when a route throws an HttpError, then its status, message and details are the answer', async () => {
    expect(await call('GET', '/conflict')).toEqual({ status: 409, body: { error: 'already there', field: 'id' } });
  });

  test('when starter code is not written yet, then the answer is 501 and says which lab', async () => {
    const answer = await call('GET', '/todo');
    expect(answer.status).toBe(501);
    expect(String(answer.body.error)).toContain('lab 99 is not done yet');
  });

  test('when a route fails unexpectedly, then the answer is 500 without internals', async () => {
    const answer = await call('GET', '/boom');
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toContain('secret');
  });

  test('when no route matches, then the answer is a 404 in the same error shape', async () => {
    expect(await call('GET', '/nowhere')).toEqual({ status: 404, body: { error: 'no route for GET /nowhere', field: '(path)' } });
  });
});
