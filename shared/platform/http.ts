import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import type { Logger } from './log.ts';
import { LabTodo } from './todo.ts';

/**
 * The one JSON error shape every service answers with: `{ error, field? }`. `error` is a sentence a person can
 * act on; `field` names the input at fault, so a client (or a grader) never has to parse the sentence.
 */
export interface ErrorBody {
  error: string;
  field?: string;
  [detail: string]: unknown;
}

/** Throw this from a route to answer with `status` and the error shape above. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Omit<ErrorBody, 'error'> = {},
  ) {
    super(message);
  }
}

/** Parses `input` with `schema` or throws a 400 whose message names the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldName(issue.path);
  throw new HttpError(400, `invalid ${field === '(body)' ? 'body' : field}: ${issue.message}`, { field });
}

/** A zod path as a client writes it: `items[0].qty`; the whole input is `(body)`. */
export function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** Express 5 passes rejected promises to the error handler, so async routes need no wrapper. */
export function createApp(logger: Logger, mountRoutes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  mountRoutes(app);
  app.use(((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}`, field: '(path)' } satisfies ErrorBody);
  }) as RequestHandler);
  app.use(((error, req: Request, res, _next) => {
    const answer = knownError(app, error, req);
    if (answer) {
      res.status(answer.status).json(answer.body);
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error; the service log has the details' } satisfies ErrorBody);
  }) as ErrorRequestHandler);
  return app;
}

/** The answer to an error that is the request's fault (or an unfinished lab), or undefined for a real 500. */
function knownError(app: Express, error: unknown, req: Request): { status: number; body: ErrorBody } | undefined {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message, ...error.details } };
  if (error instanceof LabTodo) return { status: 501, body: { error: error.message } };
  // The router decodes path parameters before any route runs, and throws a URIError for a bad %-sequence.
  if (error instanceof URIError) {
    const param = undecodableParam(app, req.path);
    const where = param ? `path parameter ${param}` : `path ${req.path}`;
    return { status: 400, body: { error: `${where} is not valid percent-encoded UTF-8`, field: param ?? '(path)' } };
  }
  // express.json() marks what it cannot read with a 4xx status and a `type`.
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const why =
    type === 'entity.parse.failed'
      ? 'the body is not valid JSON'
      : type === 'entity.too.large'
        ? 'the body is larger than the 100 kB a request may carry'
        : `the body cannot be read (${(error as Error).message})`;
  return { status, body: { error: why, field: '(body)' } };
}

/**
 * Which `:name` of the app's routes holds the undecodable segment of `path`. Express's error says only the
 * value, and a client needs the name; the kit's routes are plain `/a/:b/c` patterns, matched here segment by
 * segment.
 */
function undecodableParam(app: Express, path: string): string | undefined {
  const segments = path.split('/');
  for (const layer of (app.router as unknown as { stack: Array<{ route?: { path?: unknown } }> }).stack) {
    const pattern = layer.route?.path;
    if (typeof pattern !== 'string') continue;
    const parts = pattern.split('/');
    if (parts.length !== segments.length) continue;
    if (!parts.every((part, i) => part.startsWith(':') || part === segments[i])) continue;
    const bad = parts.findIndex((part, i) => part.startsWith(':') && !decodes(segments[i]!));
    if (bad >= 0) return parts[bad]!.slice(1);
  }
  return undefined;
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Listens on 127.0.0.1 by default (never on all interfaces unless HOST says so) and logs the port. */
export function listen(app: Express, logger: Logger, port: number, host = process.env.HOST ?? '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address() as AddressInfo;
      // The harness waits for this line to know the service is ready and on which port.
      logger.info({ port: address.port, host }, 'listening');
      resolve(server);
    });
    server.on('clientError', answerClientError);
  });
}

/**
 * Node answers a request it cannot parse (a URL and headers over 16 KB, broken HTTP) itself, with an empty
 * body, before express sees it. Answer in the kit's error shape instead, so every 4xx a client gets is JSON.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const why = status === 400 ? 'the request is not valid HTTP' : 'the URL and headers of the request are larger than the 16 kB the server reads';
  const body = JSON.stringify({ error: why, field: '(request)' } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
