import { Agent } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createApp } from '../../src/app.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createServer, SERVER_LIMITS, type ServiceServer } from '../../src/server.ts';
import { testConfig } from '../support/test-config.ts';
import { capturedLogger } from '../support/log-capture.ts';
import { httpRequest, rawExchange } from '../support/http.ts';

interface Started {
  service: ServiceServer;
  lifecycle: Lifecycle;
  port: number;
  release: () => void;
}

const running: ServiceServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.shutdown()));
});

/** A real server on a free loopback port, with a /slow route that waits until released. */
async function start(env: Record<string, string> = {}): Promise<Started> {
  const config = testConfig({ PORT: '1', HOST: '127.0.0.1', ...env });
  const { logger } = capturedLogger('silent');
  const lifecycle = new Lifecycle();
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const app = createApp(config, logger, {
    lifecycle,
    routes: (router) => {
      router.get('/slow', (_req, res) => {
        void released.then(() => res.json({ finished: true }));
      });
    },
  });
  const service = createServer(app, { ...config, port: 0 }, logger, lifecycle);
  running.push(service);
  const { port } = await service.listen();
  return { service, lifecycle, port, release };
}

describe('server limits', () => {
  it('sets the timeouts and limits on the HTTP server', async () => {
    const { service } = await start();
    expect(service.server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
    expect(service.server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
    expect(service.server.keepAliveTimeout).toBe(SERVER_LIMITS.keepAliveTimeoutMs);
    // Cut off a slow client within about 15 s: the timeout plus one checking interval.
    expect(SERVER_LIMITS.headersTimeoutMs + SERVER_LIMITS.connectionsCheckingIntervalMs).toBeLessThanOrEqual(
      15_000,
    );
  });

  it('answers oversized headers with a JSON 431 carrying the security headers', async () => {
    const { port } = await start();
    const answer = await rawExchange(
      port,
      `GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`,
    );
    expect(answer.startsWith('HTTP/1.1 431 ')).toBe(true);
    expect(answer).toContain("Content-Security-Policy: default-src 'none'");
    expect(answer).toContain('X-Content-Type-Options: nosniff');
    expect(answer).toContain('"code":"header_fields_too_large"');
  });

  it('answers a malformed request with a JSON 400 and closes', async () => {
    const { port } = await start();
    const answer = await rawExchange(port, 'GARBAGE\r\n\r\n');
    expect(answer.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(answer).toContain('Connection: close');
    expect(answer).toContain('"code":"bad_request"');
    expect(answer).not.toMatch(/HPE_|Parse Error/);
  });

  it('drops a client error on a socket that is already gone, without writing to it', async () => {
    const { service } = await start();
    const socket = { writable: true, destroy: jest.fn(), end: jest.fn() };
    service.server.emit('clientError', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket);
    const closed = { writable: false, destroy: jest.fn(), end: jest.fn() };
    service.server.emit(
      'clientError',
      Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }),
      closed,
    );
    expect(socket.destroy).toHaveBeenCalled();
    expect(closed.destroy).toHaveBeenCalled();
    expect(socket.end).not.toHaveBeenCalled();
    expect(closed.end).not.toHaveBeenCalled();
  });

  it('caps concurrent connections at the ceiling', async () => {
    const { service } = await start();
    expect(service.server.maxConnections).toBe(SERVER_LIMITS.maxConnections);
    // Half the container's nofile limit of 1024 stays for everything else the process opens.
    expect(SERVER_LIMITS.maxConnections).toBeLessThanOrEqual(1024 / 2);
    expect(SERVER_LIMITS.slotsKeptFree).toBeLessThan(SERVER_LIMITS.maxConnections);
  });

  it('answers 100 Continue only to an announced body within the limit', async () => {
    const { port } = await start({ BODY_LIMIT_BYTES: '1024' });
    const expectContinue = (length: number) =>
      rawExchange(
        port,
        `POST /anything HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
          'Expect: 100-continue\r\n\r\n',
        500,
      );
    const over = await expectContinue(1025);
    expect(over).not.toContain('100 Continue');
    expect(over.startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(over).toContain('Connection: close');
    expect(over).toContain('X-Content-Type-Options: nosniff');
    expect((await expectContinue(1024)).startsWith('HTTP/1.1 100 Continue\r\n\r\n')).toBe(true);
  });

  it('answers an unknown expectation with a JSON 417 carrying the security headers', async () => {
    const { port } = await start();
    const answer = await rawExchange(port, 'GET /healthcheck HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n');
    expect(answer.startsWith('HTTP/1.1 417 ')).toBe(true);
    expect(answer).toContain("Content-Security-Policy: default-src 'none'");
    expect(answer).toContain('Connection: close');
    expect(answer).toContain('"code":"expectation_failed"');
  });

  it('answers an HTTP/1.1 request without Host with a JSON 400 carrying the security headers', async () => {
    const { port } = await start();
    const answer = await rawExchange(port, 'GET /healthcheck HTTP/1.1\r\n\r\n');
    expect(answer.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(answer).toContain('X-Content-Type-Options: nosniff');
    expect(answer).toContain('Connection: close');
    expect(answer).toContain('"code":"bad_request"');
    // HTTP/1.0 has no Host requirement.
    expect(await rawExchange(port, 'GET /healthcheck HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes a refused connection once its answer is written, even if the client never closes its side', async () => {
    const { service, port } = await start();
    // allowHalfOpen: like a client that never reads, this one never answers the server's FIN with its
    // own, so only the server closing its socket completely ends the connection on its side.
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const answered = new Promise((resolve) => socket.once('end', resolve));
    socket.resume();
    socket.write('GARBAGE\r\n\r\n');
    await answered;
    const open = () =>
      new Promise<number>((resolve) => service.server.getConnections((_err, count) => resolve(count)));
    for (let waited = 0; (await open()) > 0 && waited < 2_000; waited += 20) await delay(20);
    expect(await open()).toBe(0);
    socket.destroy();
  });

  it('refuses an announced oversize body at once, without waiting for it', async () => {
    const { port } = await start({ BODY_LIMIT_BYTES: '1024' });
    // The body is announced but never sent: an answer can only come from the headers alone.
    const answer = await rawExchange(
      port,
      'POST /anything HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n',
      5000,
    );
    expect(answer.startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(answer).toContain('Connection: close');
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new connections, and reports drained', async () => {
    const { service, port, release } = await start();
    const inFlight = httpRequest(port, '/slow');
    await delay(100);
    const outcome = service.shutdown();
    await delay(50);
    await expect(httpRequest(port, '/healthcheck')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ finished: true });
    await expect(outcome).resolves.toBe('drained');
  });

  it('answers 503 with Connection: close on a kept-alive connection while draining', async () => {
    const { service, port } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await httpRequest(port, '/healthcheck', { agent })).status).toBe(200);
    const outcome = service.shutdown();
    const draining = await httpRequest(port, '/healthcheck', { agent });
    expect(draining.status).toBe(503);
    expect(draining.headers.connection).toBe('close');
    await expect(outcome).resolves.toBe('drained');
    agent.destroy();
  });

  it('closes idle keep-alive connections after the drain window', async () => {
    const { service, port } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await httpRequest(port, '/healthcheck', { agent });
    const started = Date.now();
    await expect(service.shutdown()).resolves.toBe('drained');
    expect(Date.now() - started).toBeGreaterThanOrEqual(SERVER_LIMITS.drainWindowMs - 50);
    agent.destroy();
  });

  it('forces the close when a request outlives the grace period', async () => {
    const { service, port, release } = await start({ SHUTDOWN_GRACE_MS: '300' });
    const inFlight = httpRequest(port, '/slow').catch((err: NodeJS.ErrnoException) => err.code);
    await delay(100);
    await expect(service.shutdown()).resolves.toBe('forced');
    await expect(inFlight).resolves.toBe('ECONNRESET');
    release();
  });

  it('returns the same outcome when asked twice', async () => {
    const { service } = await start();
    const first = service.shutdown();
    expect(service.shutdown()).toBe(first);
    await first;
  });

  it('drops a client that connected but never sent a request', async () => {
    const { service, port } = await start();
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await expect(service.shutdown()).resolves.toBe('drained');
    await closed;
  });
});
