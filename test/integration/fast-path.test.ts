/**
 * The health probe's fast path (createRequestListener) must answer exactly what the app answers: same
 * status line, same headers in the same order, same body. Each request goes raw over a socket to two
 * servers, one running the listener the service runs and one running the app alone, and the two answers
 * are compared byte for byte (only the Date header, and a generated request id, may differ).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, createRequestListener } from '../../src/app.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { capturedLogger } from '../support/log-capture.ts';
import { testConfig } from '../support/test-config.ts';
import { rawExchange } from '../support/http.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const config = testConfig({ BODY_LIMIT_BYTES: '64' });
const servers: Server[] = [];

function listen(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

const normalise = (answer: string) => answer.replace(/^Date: .*\r\n/m, 'Date: -\r\n').replace(UUID, 'uuid');

async function bothAnswer(payload: string, level: 'info' | 'debug' = 'info', lifecycle = new Lifecycle()) {
  const fast = capturedLogger(level);
  const app = capturedLogger(level);
  const [fastPort, appPort] = await Promise.all([
    listen(createRequestListener(config, fast.logger, { lifecycle })),
    listen(createApp(config, app.logger, { lifecycle })),
  ]);
  return {
    fast: normalise(await rawExchange(fastPort, payload)),
    app: normalise(await rawExchange(appPort, payload)),
    fastLogs: fast.lines(),
    appLogs: app.lines(),
  };
}

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const request = (method: string, target: string, headers: string[] = []) =>
  [`${method} ${target} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...headers, '', ''].join('\r\n');

describe('the health fast path answers byte for byte what the app answers', () => {
  it.each([
    ['GET', '/healthcheck', []],
    ['HEAD', '/healthcheck', []],
    ['GET', '/healthcheck?verbose=1', []],
    ['GET', '/healthcheck', ['X-Request-Id: probe-42']],
    ['GET', '/healthcheck', ['X-Request-Id: not a safe id!']],
  ])('%s %s %j', async (method, target, headers) => {
    const { fast, app } = await bothAnswer(request(method, target, headers));
    expect(fast).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(fast).toBe(app);
  });

  it.each([
    // Not the fast path's: each must still get the app's own answer (body guard, JSON parser, routing).
    ['GET with a body over the limit (413)', request('GET', '/healthcheck', ['Content-Length: 100'])],
    [
      'GET with a malformed JSON body (400)',
      request('GET', '/healthcheck', ['Content-Type: application/json', 'Content-Length: 1']) + '{',
    ],
    ['a trailing slash (404, strict routing)', request('GET', '/healthcheck/')],
    ['another case (404, case-sensitive routing)', request('GET', '/HealthCheck')],
    ['a longer path (404)', request('GET', '/healthchecks')],
    ['POST (405)', request('POST', '/healthcheck', ['Content-Length: 0'])],
  ])('%s', async (_what, payload) => {
    const { fast, app } = await bothAnswer(payload);
    expect(fast).not.toMatch(/^HTTP\/1\.1 200/);
    expect(fast).toBe(app);
  });

  it('leaves a draining service to the app: 503 with Connection: close', async () => {
    const lifecycle = new Lifecycle();
    lifecycle.startDraining();
    const { fast, app } = await bothAnswer(request('GET', '/healthcheck'), 'info', lifecycle);
    expect(fast).toMatch(/^HTTP\/1\.1 503 /);
    expect(fast).toBe(app);
  });

  it('leaves probes to the app when they are logged (debug), so they are logged', async () => {
    const { fast, app, fastLogs } = await bothAnswer(request('GET', '/healthcheck'), 'debug');
    expect(fast).toBe(app);
    expect(fastLogs).toEqual([expect.objectContaining({ msg: 'request', status: 200, level: 'debug' })]);
  });
});
