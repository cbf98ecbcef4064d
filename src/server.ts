/**
 * The HTTP server around the app: timeouts and limits, listening, and graceful shutdown.
 */
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as NetServer } from 'node:net';
import type { Config } from './config';
import { errorBody } from './errors';
import type { Lifecycle } from './lifecycle';
import type { Logger } from './logger';
import { buildSecurityHeaders, type HeaderList } from './security-headers';

/** Limits chosen against slow-client and oversized-header attacks; see README "Server limits". */
export const SERVER_LIMITS = Object.freeze({
  // A client dribbling header bytes is cut off after this; checked every `connectionsCheckingInterval`.
  headersTimeoutMs: 10_000,
  // A whole request (headers and body) must arrive within this.
  requestTimeoutMs: 15_000,
  // Node only checks the two timeouts above on this interval (30 s by default, far too lax).
  connectionsCheckingIntervalMs: 1_000,
  // Longer than the common load balancers' idle timeout (AWS ALB: 60 s), so they, not we, close idle
  // connections: otherwise a request can race our close and be reset.
  keepAliveTimeoutMs: 65_000,
  // Node's default is 16 KiB; a health service and typical APIs need far less.
  maxHeaderSizeBytes: 8_192,
  // How long clients are asked (`Connection: close`) to leave before idle sockets are closed.
  drainWindowMs: 1_000,
  // Pipelined requests are answered in order, and every answer not yet written to the client is held
  // in memory. A client that pipelines thousands of requests and never reads made the server hold
  // ~13 MB per connection (an answer is ~20× the size of the request); real clients keep a few in flight.
  maxPendingAnswersPerConnection: 32,
});

export type ShutdownOutcome = 'drained' | 'forced';

export interface ServiceServer {
  readonly server: Server;
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, then closes; forced after the grace period. */
  shutdown(): Promise<ShutdownOutcome>;
}

/** Answers a request Node refused before it reached the app, in the same JSON with the same headers. */
function rawErrorResponse(status: number, reason: string, headers: HeaderList): string {
  const body = errorBody(status, undefined);
  const headerLines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (
    `HTTP/1.1 ${status} ${reason}\r\n${headerLines}Content-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Whether Node has a response open on this socket. `_httpMessage` is internal but has been stable since
 * Node 0.x and is what established terminators (http-terminator) rely on; there is no public equivalent.
 */
function responseInProgress(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage ?? undefined;
}

export function createServer(
  app: RequestListener,
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
): ServiceServer {
  // Every connection's state lives in one place, set up when it opens (see 'connection' below): the
  // request path only counts.
  const sockets = new Map<Socket, { pendingAnswers: number }>();
  // Node parses a whole read (up to 64 KiB, over a thousand small requests) before it can pause, so an
  // excess request is dropped here, before the app spends anything on it.
  const answerWithinPipelineLimit: RequestListener = (req, res) => {
    const socket = req.socket;
    const connection = sockets.get(socket) ?? { pendingAnswers: 0 };
    connection.pendingAnswers++;
    res.once('close', () => connection.pendingAnswers--);
    if (connection.pendingAnswers > SERVER_LIMITS.maxPendingAnswersPerConnection) {
      if (!socket.destroyed) {
        logger.warn(
          { pending: connection.pendingAnswers },
          'too many pipelined requests unread, closing the connection',
        );
        socket.destroy();
      }
      return;
    }
    app(req, res);
  };

  const server = createHttpServer(
    {
      headersTimeout: SERVER_LIMITS.headersTimeoutMs,
      requestTimeout: SERVER_LIMITS.requestTimeoutMs,
      connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingIntervalMs,
      keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
      maxHeaderSize: SERVER_LIMITS.maxHeaderSizeBytes,
    },
    answerWithinPipelineLimit,
  );

  // helmet runs once here for all three answers (the app computes its own list once too).
  const securityHeaders = buildSecurityHeaders();
  const clientErrors = {
    400: rawErrorResponse(400, 'Bad Request', securityHeaders),
    408: rawErrorResponse(408, 'Request Timeout', securityHeaders),
    431: rawErrorResponse(431, 'Request Header Fields Too Large', securityHeaders),
  } as const;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger.warn({ code: err.code, status }, 'client error');
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrors[status]);
  });

  // The registry entry is made once per connection, so a request only looks it up.
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { pendingAnswers: 0 });
    socket.once('close', () => sockets.delete(socket));
  });

  let shutdownPromise: Promise<ShutdownOutcome> | undefined;

  function shutdown(): Promise<ShutdownOutcome> {
    shutdownPromise ??= new Promise((resolve) => {
      lifecycle.startDraining();
      // Requests already in flight answer with `Connection: close` too, so their clients leave cleanly.
      for (const socket of sockets.keys()) {
        const res = responseInProgress(socket);
        if (res !== undefined && !res.headersSent) res.setHeader('Connection', 'close');
      }
      let settled = false;
      const finish = (outcome: ShutdownOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(drainTimer);
        clearInterval(idleSweep);
        clearTimeout(graceTimer);
        resolve(outcome);
      };
      // Stop accepting new connections, but keep the open ones: http.Server#close would also close
      // idle keep-alive sockets at once, resetting clients that are sending their next request just
      // then. The 'close' callback runs when the last connection has ended.
      NetServer.prototype.close.call(server, () => finish('drained'));
      // Clients that send during the window get `Connection: close` and leave by themselves. After
      // it, every socket without a request in progress is closed: idle keep-alive sockets, and clients
      // that connected but never sent a request (Node counts those as active, not idle, so
      // closeIdleConnections would leave them to the headers timeout). The sweep repeats so that a
      // socket whose in-flight request ends later is closed too.
      let idleSweep: NodeJS.Timeout | undefined;
      const sweep = () => {
        for (const socket of sockets.keys()) if (responseInProgress(socket) === undefined) socket.destroy();
      };
      const drainTimer = setTimeout(() => {
        sweep();
        idleSweep = setInterval(sweep, 100).unref();
      }, SERVER_LIMITS.drainWindowMs);
      const graceTimer = setTimeout(() => {
        logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over, closing connections');
        server.closeAllConnections();
        finish('forced');
      }, config.shutdownGraceMs);
      drainTimer.unref();
      graceTimer.unref();
    });
    return shutdownPromise;
  }

  function listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.port, host: config.host }, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  return { server, listen, shutdown };
}
