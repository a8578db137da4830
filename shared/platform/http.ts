import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const field = issue.path.join('.') || '(body)';
  throw new HttpError(400, `invalid ${field}: ${issue.message}`, { field });
}

/** Express 5 passes rejected promises to the error handler, so async routes need no wrapper. */
export function createApp(logger: Logger, mountRoutes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  mountRoutes(app);
  app.use(((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` } satisfies ErrorBody);
  }) as RequestHandler);
  app.use(((error, req: Request, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message, ...error.details } satisfies ErrorBody);
      return;
    }
    if (error instanceof LabTodo) {
      res.status(501).json({ error: error.message } satisfies ErrorBody);
      return;
    }
    // express.json() marks a body it cannot parse with status 400.
    if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: `invalid request body: ${error.message}`, field: '(body)' } satisfies ErrorBody);
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error; the service log has the details' } satisfies ErrorBody);
  }) as ErrorRequestHandler);
  return app;
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
  });
}
