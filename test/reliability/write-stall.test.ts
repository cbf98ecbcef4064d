/**
 * A reader that does not read: once its receive window is shut and the kernel's buffers are full, an
 * answer stops draining and Node would keep it, the socket and its file descriptor for as long as the
 * client stays. The healthcheck's answers are too small to get there (the kernel takes megabytes of them,
 * see connection-deadlines.test.ts), so this runs the real server in-process with a route that streams a
 * large answer, as a service built from the template might.
 */
import type { RequestListener } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../../src/config.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createLogger } from '../../src/logger.ts';
import { createServer, type ServiceServer } from '../../src/server.ts';
import { LIMITS, LIMITS_ENV } from './suite-limits.ts';
import { openRaw, releasedByServer } from './raw-client.ts';
import { sleep } from './service-process.ts';

const TOLERANCE_MS = 2_000;
const CHECK_MS = LIMITS.connectionsCheckingIntervalMs;
const CHUNK_BYTES = 64 * 1024;
// Far more than the loopback buffers hold (a few MB), so a client that does not read shuts the window.
const ANSWER_BYTES = 64 * 1024 * 1024;
const REQUEST = 'GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

let service: ServiceServer;
let port: number;

beforeAll(async () => {
  const config = {
    ...loadConfig({ HOST: '127.0.0.1', ...LIMITS_ENV }, { version: '1.0.0', commit: 'abcdef1' }),
    port: 0,
  };
  const app: RequestListener = (_req, res) => {
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', ANSWER_BYTES);
    const chunk = Buffer.alloc(CHUNK_BYTES, 0x61);
    const chunks = function* () {
      for (let sent = 0; sent < ANSWER_BYTES; sent += CHUNK_BYTES) yield chunk;
    };
    pipeline(Readable.from(chunks()), res).catch(() => undefined);
  };
  service = createServer(app, config, createLogger('silent'), new Lifecycle());
  ({ port } = await service.listen());
});

afterAll(async () => {
  service.server.closeAllConnections();
  await new Promise((resolve) => service.server.close(resolve));
});

test('an answer the client never takes is dropped after the write-stall deadline', async () => {
  const slowest = LIMITS.writeStallTimeoutMs + 2 * CHECK_MS + TOLERANCE_MS;
  const connection = await openRaw(port, { read: false });
  const since = performance.now();
  connection.socket.write(REQUEST);
  // The client never reads, so it never sees a FIN: the server's side shows when it let go.
  const afterMs = await releasedByServer(port, connection, since);
  connection.socket.destroy();
  console.log(`write stalled: let go by the server after ${Math.round(afterMs)} ms`);
  // The stall begins once the buffers are full (well under a second here), and is seen on a sweep.
  expect(afterMs).toBeGreaterThanOrEqual(LIMITS.writeStallTimeoutMs);
  expect(afterMs).toBeLessThan(slowest);
}, 30_000);

test('a client that stops reading for less than the deadline, then reads, gets its whole answer', async () => {
  const pauseMs = LIMITS.writeStallTimeoutMs - 2_000;
  const connection = await openRaw(port, { read: false });
  connection.socket.write(REQUEST);
  // The buffers fill within a second, so the server's write waits for most of the pause.
  await sleep(pauseMs);
  let bytes = 0;
  connection.socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  connection.socket.resume();
  const { openMs, error } = await connection.closed;
  console.log(`paused reader: ${bytes} bytes in ${Math.round(openMs)} ms after a ${pauseMs} ms pause`);
  expect(error).toBeUndefined();
  expect(bytes).toBeGreaterThan(ANSWER_BYTES);
}, 60_000);
