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
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('HTTP platform', () => {
  test('when a field is invalid, then the answer is 400 and names the field', async () => {
    expect(await call('POST', '/things', JSON.stringify({ name: 'a', count: 0 }))).toMatchObject({ status: 400, body: { field: 'count' } });
  });

  test('when the body is not JSON, then the answer is 400, not 500', async () => {
    expect((await call('POST', '/things', '{not json')).status).toBe(400);
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
    expect(await call('GET', '/nowhere')).toMatchObject({ status: 404, body: { error: 'no route for GET /nowhere' } });
  });
});
