/**
 * The Express application: security headers and request context first, then the body guard, the
 * routes, JSON 404/405, and one JSON error handler. Building it does not listen; `server.ts` does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Config } from './config.ts';
import { errorBody, publicStatus } from './errors.ts';
import { HEALTH_PATH } from './health-route.ts';
import { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import { serviceRoutes } from './routes.ts';
import { buildSecurityHeaders, type HeaderList } from './security-headers.ts';

const HEALTH_METHODS = 'GET, HEAD, OPTIONS';
const JSON_TYPE = 'application/json; charset=utf-8';
// An incoming id is echoed into a header and the logs, so only a short, plain token is trusted.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

declare module 'express-serve-static-core' {
  interface Locals {
    requestId: string;
  }
}

/** The health body depends only on configuration, so it is serialised once. */
export function healthBody(config: Config): Buffer {
  return Buffer.from(
    JSON.stringify({
      myapplication: [
        { version: config.appVersion, description: config.description, lastcommitsha: config.lastCommitSha },
      ],
    }),
  );
}

function sendJson(res: Response, status: number, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function sendError(res: Response, status: number): void {
  sendJson(res, publicStatus(status), errorBody(status, res.locals.requestId));
}

function requestContext(headers: HeaderList, logger: Logger, lifecycle: Lifecycle): RequestHandler {
  return (req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    // While draining, every answer asks the client to reconnect elsewhere instead of reusing this socket.
    if (lifecycle.draining) res.setHeader('Connection', 'close');

    // Probes hit /healthcheck every few seconds; logging each at info would drown the real traffic,
    // and skipping the bookkeeping for them keeps the probe path cheap.
    const isProbe = req.path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD');
    if (isProbe && !logger.isLevelEnabled('debug')) return next();
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : isProbe ? 'debug' : 'info';
      logger[level](
        {
          reqId: requestId,
          method: req.method,
          url: req.originalUrl.slice(0, 512),
          status,
          ms: Math.round((performance.now() - started) * 1000) / 1000,
        },
        'request',
      );
    });
    next();
  };
}

/** Shared with the server, which invites a body (`100 Continue`) only when this is false. */
export function announcesBodyOverLimit(req: IncomingMessage, limitBytes: number): boolean {
  const announced = req.headers['content-length'];
  return announced !== undefined && Number(announced) > limitBytes;
}

/**
 * Refuses an announced body over the limit before any of it is read: the answer goes out at once
 * and the connection is closed, so a client cannot tie up the server by streaming a large body.
 */
function bodyGuard(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    if (announcesBodyOverLimit(req, limitBytes)) {
      res.setHeader('Connection', 'close');
      sendError(res, 413);
      return;
    }
    next();
  };
}

function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allow);
    sendError(res, 405);
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const status = publicStatus((err as { status?: unknown } | null)?.status);
    const details = { reqId: res.locals.requestId, method: req.method, url: req.originalUrl.slice(0, 512) };
    if (status >= 500) logger.error({ ...details, err }, 'unhandled error');
    else logger.warn({ ...details, err: { message: (err as Error).message } }, 'request rejected');
    if (res.headersSent) {
      // Too late for a clean answer: hand over to Express, which ends the connection.
      next(err);
      return;
    }
    sendError(res, status);
  };
}

/** A request that carries no body: neither the body guard nor the JSON parser has anything to do. */
function hasNoBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
}

/** Exactly the health path, with or without a query: the only URLs the fast path below answers. */
function isHealthUrl(url: string | undefined): boolean {
  return (
    url !== undefined &&
    url.startsWith(HEALTH_PATH) &&
    (url.length === HEALTH_PATH.length || url.charCodeAt(HEALTH_PATH.length) === 0x3f) // '?'
  );
}

export interface AppOptions {
  readonly lifecycle?: Lifecycle;
  /**
   * The routes behind the same headers, guard and error handling; by default the service's own
   * (src/routes.ts), so every caller, main.ts and the tests alike, builds the same app.
   */
  readonly routes?: (router: express.Router, config: Config) => void;
}

export function createApp(config: Config, logger: Logger, options: AppOptions = {}): Express {
  const lifecycle = options.lifecycle ?? new Lifecycle();
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', false);

  app.use(requestContext(buildSecurityHeaders(), logger, lifecycle));
  app.use(bodyGuard(config.bodyLimitBytes));
  app.use(express.json({ limit: config.bodyLimitBytes, strict: true }));

  const body = healthBody(config);
  const router = express.Router({ strict: true, caseSensitive: true });
  router
    .route(HEALTH_PATH)
    .get((_req, res) => {
      // Answering 503 while draining tells the load balancer to stop sending before the socket closes.
      if (lifecycle.draining) sendError(res, 503);
      else sendJson(res, 200, body);
    })
    .options((_req, res) => {
      res.setHeader('Allow', HEALTH_METHODS);
      res.statusCode = 204;
      res.end();
    })
    .all(methodNotAllowed(HEALTH_METHODS));
  (options.routes ?? serviceRoutes)(router, config);
  app.use(router);

  app.use((_req, res) => sendError(res, 404));
  app.use(errorHandler(logger));
  return app;
}

/**
 * What the server runs: the app, with health probes answered ahead of it. Probes are most of a health
 * service's traffic (every load balancer and orchestrator polls), and the answer to a plain probe
 * depends on nothing but the configuration and the request id, so it is written in one call, status,
 * every header and the body, without a `setHeader` per header (each validates and lower-cases its
 * name) nor Express's per-request set-up and router. It is the same answer the app gives, byte for byte
 * (test/integration/fast-path.test.ts compares them). Only the plain case takes it: GET or HEAD on
 * exactly the health path, no body, not draining, probes not logged; everything else goes to the app.
 */
export function createRequestListener(
  config: Config,
  logger: Logger,
  options: AppOptions = {},
): RequestListener {
  const lifecycle = options.lifecycle ?? new Lifecycle();
  const app = createApp(config, logger, { ...options, lifecycle });
  const body = healthBody(config);
  // One list for every probe, the request id's slot rewritten each time: Node reads the list within
  // writeHead (its _storeHeader runs before writeHead returns), so no answer can see another's id, and
  // no list of ~40 strings is allocated per request.
  const head = [
    ...buildSecurityHeaders().flat(),
    'X-Request-Id',
    '',
    ...['Content-Type', JSON_TYPE, 'Content-Length', String(body.length)],
  ];
  const requestIdSlot = head.indexOf('X-Request-Id') + 1;
  // The same bytes as a string: Node then sends head and body in one write, where a Buffer body goes
  // out after the head in a writev (the largest cost in a profile under load).
  const text = body.toString('utf8');
  return (req: IncomingMessage, res: ServerResponse) => {
    if (
      (req.method === 'GET' || req.method === 'HEAD') &&
      isHealthUrl(req.url) &&
      !logger.isLevelEnabled('debug') &&
      !lifecycle.draining &&
      hasNoBody(req)
    ) {
      const incoming = req.headers['x-request-id'];
      const requestId =
        typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      head[requestIdSlot] = requestId;
      res.writeHead(200, head);
      res.end(text);
      return;
    }
    app(req, res);
  };
}
