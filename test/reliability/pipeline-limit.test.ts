/**
 * Regression test for a finding of the slow-reader test: a client pipelining thousands of requests
 * without reading made the server keep every queued answer (about 3 MB per connection, for as long
 * as the client stayed). server.ts now drops a connection with too many unanswered requests before
 * the app sees the excess.
 */
import { connect } from 'node:net';
import type { RequestListener } from 'node:http';
import { loadConfig } from '../../src/config.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createLogger } from '../../src/logger.ts';
import { createServer, type ServiceServer } from '../../src/server.ts';
import { LIMITS, LIMITS_ENV } from './suite-limits.ts';

const LIMIT = LIMITS.maxPendingAnswersPerConnection;
const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

let service: ServiceServer;
let port: number;
let appCalls = 0;

beforeAll(async () => {
  const config = {
    ...loadConfig({ HOST: '127.0.0.1', ...LIMITS_ENV }, { version: '1.0.0', commit: 'abcdef1' }),
    port: 0,
  };
  const app: RequestListener = (_req, res) => {
    appCalls++;
    res.setHeader('Content-Type', 'text/plain');
    res.end('ok');
  };
  service = createServer(app, config, createLogger('silent'), new Lifecycle());
  ({ port } = await service.listen());
});

afterAll(async () => {
  service.server.closeAllConnections();
  await new Promise((resolve) => service.server.close(resolve));
});

/** Writes `count` pipelined requests in one go and reads until the server closes or answers them all. */
function pipeline(count: number): Promise<{ answers: number; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const answers = () => received.split('HTTP/1.1 200').length - 1;
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      if (answers() === count) {
        socket.destroy();
        resolve({ answers: count, closedByServer: false });
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ answers: answers(), closedByServer: true }));
    socket.write(REQUEST.repeat(count));
  });
}

test(`a client with up to ${LIMIT} requests in flight gets every answer`, async () => {
  appCalls = 0;
  await expect(pipeline(LIMIT)).resolves.toEqual({ answers: LIMIT, closedByServer: false });
  expect(appCalls).toBe(LIMIT);
});

test('a flood of pipelined requests is cut off before the app handles the excess', async () => {
  appCalls = 0;
  const { answers, closedByServer } = await pipeline(5_000);
  expect(closedByServer).toBe(true);
  expect(appCalls).toBeLessThanOrEqual(LIMIT);
  expect(answers).toBeLessThanOrEqual(LIMIT);
});
