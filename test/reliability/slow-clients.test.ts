/**
 * Slow clients (slowloris and its mirror image) must not hold the server's resources: one dribbling
 * its headers is cut off by the headers timeout, one that never reads its answers cannot make the
 * server buffer them.
 */
import { connect, type Socket } from 'node:net';
import { LIMITS } from './suite-limits.ts';
import { getStatus, MB, memoryOf, sleep, serviceForFile } from './service-process.ts';

// The headers timeout (10 s real, scaled in npm test: suite-limits.ts), checked every interval; the rest is
// slack for a loaded machine. At least the timeout itself, so a server cutting off early fails too.
const HEADERS_CUT_OFF_BOUND_MS = LIMITS.headersTimeoutMs + LIMITS.connectionsCheckingIntervalMs + 4_000;
const SLOW_READERS = 20;
const PIPELINED_PER_READER = 20_000;

const running = serviceForFile({ inspect: true });

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

test('a client dribbling header bytes is answered 408 and cut off at the headers timeout', async () => {
  const socket = await open(running.service.port);
  const started = Date.now();
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.write('GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const dribble = setInterval(() => {
    if (socket.writable) socket.write(`X-Slow-${Date.now()}: a\r\n`);
  }, 500);
  await new Promise((resolve) => socket.once('close', resolve));
  clearInterval(dribble);
  const elapsed = Date.now() - started;

  console.log(`slow headers: cut off after ${elapsed} ms with ${JSON.stringify(received.split('\r\n')[0])}`);
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
  expect(elapsed).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 100);
  expect(elapsed).toBeLessThan(HEADERS_CUT_OFF_BOUND_MS);
}, 30_000);

test('clients that never read their answers do not make the server buffer them', async () => {
  const request = 'GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const answerBytes = await (async () => {
    const socket = await open(running.service.port);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.end(request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
    await new Promise((resolve) => socket.once('close', resolve));
    return Buffer.concat(chunks).length;
  })();
  // What the server would hold if it parsed every pipelined request and queued every answer.
  const wouldBuffer = SLOW_READERS * PIPELINED_PER_READER * answerBytes;
  const rssBefore = memoryOf(running.service.pid).rss;
  const heapBefore = await running.inspector.collectGarbage();

  const readers = await Promise.all(Array.from({ length: SLOW_READERS }, () => open(running.service.port)));
  const batch = request.repeat(PIPELINED_PER_READER);
  for (const reader of readers) {
    reader.pause();
    reader.on('error', () => undefined);
    reader.write(batch);
  }
  // At least 3 s, and until the server has dealt with every reader (a loaded machine takes longer to
  // parse 20 batches): a fixed wait counted one reader short on a machine at load 20.
  const cutOffSoFar = () =>
    running.service.logs.filter(
      (line) => line.msg === 'too many pipelined requests unread, closing the connection',
    ).length;
  await sleep(3_000);
  for (let waited = 0; cutOffSoFar() < SLOW_READERS && waited < 20_000; waited += 250) await sleep(250);
  const rssStalled = memoryOf(running.service.pid).rss;
  const heapStalled = await running.inspector.collectGarbage();
  // Another client is still served while the stalled ones sit there.
  const statusMeanwhile = await getStatus(`${running.service.baseUrl}/healthcheck`);
  for (const reader of readers) reader.destroy();

  const rssGrowth = rssStalled - rssBefore;
  const retained = heapStalled.usedSize - heapBefore.usedSize;
  const cutOff = running.service.logs.filter(
    (line) => line.msg === 'too many pipelined requests unread, closing the connection',
  );
  console.log(
    `slow readers: ${SLOW_READERS} × ${PIPELINED_PER_READER} pipelined requests (${(wouldBuffer / MB).toFixed(0)} MB ` +
      `of answers if all were queued); heap still reachable after GC grew ${(retained / MB).toFixed(1)} MB; ` +
      `RSS grew ${(rssGrowth / MB).toFixed(1)} MB (V8 keeps the heap it grew while parsing); ${cutOff.length} cut off`,
  );
  expect(statusMeanwhile).toBe(200);
  // Before the pipeline limit in server.ts, each stalled connection kept about 3 MB reachable (61 MB here).
  expect(retained).toBeLessThan(5 * MB);
  expect(cutOff).toHaveLength(SLOW_READERS);
  expect(running.service.child.exitCode).toBeNull();
}, 50_000);
