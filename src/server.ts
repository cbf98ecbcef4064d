/**
 * The HTTP server around the app: timeouts and limits, listening, and graceful shutdown.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as NetServer } from 'node:net';
import { announcesBodyOverLimit } from './app.ts';
import type { Config } from './config.ts';
import { ConnectionRegistry, responseInProgress } from './connections.ts';
import { errorBody } from './errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import { buildSecurityHeaders, type HeaderList } from './security-headers.ts';

export { SERVER_LIMITS } from './limits.ts';

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

export function createServer(
  app: RequestListener,
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
): ServiceServer {
  const limits = config.serverLimits;
  // helmet runs once here for every answer the server writes itself (the app computes its own list once).
  const securityHeaders = buildSecurityHeaders();
  const clientErrors = {
    400: rawErrorResponse(400, 'Bad Request', securityHeaders),
    408: rawErrorResponse(408, 'Request Timeout', securityHeaders),
    431: rawErrorResponse(431, 'Request Header Fields Too Large', securityHeaders),
  } as const;

  /**
   * Answers and closes. The server allows half-open connections (Node's http default), so `end` alone
   * waits for the client to close its side too: a client that never reads never sees our FIN and held
   * the socket forever (400 silent sockets were all still held 25 s after their 408). As Node does after
   * its own `Connection: close` answers, the socket is closed once the answer is written.
   */
  function refuse(socket: Socket, status: keyof typeof clientErrors): void {
    // An answer already begun on this socket would be corrupted by a second one.
    if (!socket.writable || responseInProgress(socket)?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(clientErrors[status]);
    socket.once('finish', () => socket.destroy());
  }

  const connections = new ConnectionRegistry(limits, (socket, why) => {
    logger.warn({ why, open: connections.size }, 'closing connection');
    socket.destroy();
  });

  /** An answer the server writes itself, in the app's JSON with its security headers, then closes. */
  function answer(res: ServerResponse, status: number): void {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Connection', 'close');
    res.statusCode = status;
    res.end(errorBody(status, undefined));
  }

  /** Every request passes here first, whichever event Node delivers it with. */
  const admitted = (req: IncomingMessage, res: ServerResponse): boolean => {
    const socket = req.socket;
    // Node parses a whole read (up to 64 KiB, over a thousand small requests) before it can pause, so
    // an excess request is dropped here, before the app spends anything on it.
    if (!connections.answerOwed(socket, res)) {
      if (!socket.destroyed) {
        logger.warn(
          { pending: connections.pendingAnswers(socket) },
          'too many pipelined requests unread, closing the connection',
        );
        socket.destroy();
      }
      return false;
    }
    // An HTTP/1.1 request without Host must get 400 (RFC 9112, 3.2); Node's own (`requireHostHeader`)
    // carries neither the security headers nor a JSON body.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
      answer(res, 400);
      return false;
    }
    return true;
  };

  const server = createHttpServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderSizeBytes,
      requireHostHeader: false,
    },
    (req, res) => {
      if (admitted(req, res)) app(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;

  // Node answers `Expect: 100-continue` with `100 Continue` by itself unless this event has a listener
  // (lib/_http_server.js, parserOnIncoming, Node 24), inviting a body the app's body guard then refuses.
  // Only a body within the limit is invited; the guard answers the rest 413 before a byte is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!admitted(req, res)) return;
    if (!announcesBodyOverLimit(req, config.bodyLimitBytes)) res.writeContinue();
    app(req, res);
  });
  // Any other expectation: Node's own 417 would carry neither the security headers nor a JSON body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    if (admitted(req, res)) answer(res, 417);
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger.warn({ code: err.code, status }, 'client error');
    if (err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    refuse(socket, status);
  });

  server.on('connection', (socket: Socket) => connections.add(socket));
  let deadlineSweep: NodeJS.Timeout | undefined;
  server.on('listening', () => {
    deadlineSweep = setInterval(
      () => connections.sweep(performance.now()),
      limits.connectionsCheckingIntervalMs,
    ).unref();
  });
  server.on('close', () => clearInterval(deadlineSweep));

  let shutdownPromise: Promise<ShutdownOutcome> | undefined;

  function shutdown(): Promise<ShutdownOutcome> {
    shutdownPromise ??= new Promise((resolve) => {
      lifecycle.startDraining();
      // Requests already in flight answer with `Connection: close` too, so their clients leave cleanly.
      for (const socket of connections.sockets()) {
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
      const sweep = () => connections.closeIdle();
      const drainTimer = setTimeout(() => {
        sweep();
        idleSweep = setInterval(sweep, 100).unref();
      }, limits.drainWindowMs);
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
