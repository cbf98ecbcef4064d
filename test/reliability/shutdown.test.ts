/**
 * SIGTERM in the middle of a load run. Orchestrators (Cloud Run, ECS, Kubernetes) send SIGTERM while
 * traffic still flows; a request the server has accepted must be answered, never reset, and the
 * process must leave with exit code 0 within the grace period.
 *
 * The load comes from keep-alive clients of our own (one node http Agent each), so every request's
 * outcome is counted: a reset of a request on an established connection is exactly the failure that
 * closing keep-alive sockets at once causes (see server.ts).
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { sleep, startService, type ServiceProcess } from './service-process.ts';

const CLIENTS = 64;
const SHUTDOWN_GRACE_MS = 8_000;
const LOAD_BEFORE_SIGNAL_MS = 2_000;

interface Outcomes {
  ok: number;
  unavailable: number;
  otherStatus: number[];
  refused: number;
  resets: { code: string; reusedSocket: boolean }[];
  closeAsked: number;
}

function oneRequest(port: number, agent: Agent, outcomes: Outcomes): Promise<'continue' | 'stop'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthcheck', agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.once('end', () => {
        if (res.statusCode === 200) outcomes.ok++;
        else if (res.statusCode === 503) outcomes.unavailable++;
        else outcomes.otherStatus.push(res.statusCode ?? 0);
        if (res.headers.connection === 'close') outcomes.closeAsked++;
        resolve('continue');
      });
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') outcomes.refused++;
      else outcomes.resets.push({ code: err.code ?? err.message, reusedSocket: req.reusedSocket });
      resolve('stop');
    });
    req.end();
  });
}

/** Resolves with how a brand-new connection is treated: refused, or the status it is answered with. */
function freshConnection(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8');
    socket.once('connect', () =>
      socket.write('GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    socket.once('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 'closed without answer'));
  });
}

let service: ServiceProcess;

beforeAll(async () => {
  service = await startService({ env: { SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) } });
});

afterAll(async () => {
  await service.stop();
});

test('SIGTERM under load: accepted requests complete, new connections are refused, exit 0 in time', async () => {
  const outcomes: Outcomes = {
    ok: 0,
    unavailable: 0,
    otherStatus: [],
    refused: 0,
    resets: [],
    closeAsked: 0,
  };
  let exitedAt = 0;
  void service.exited.then(() => (exitedAt = Date.now()));

  const agents = Array.from({ length: CLIENTS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const clients = agents.map(async (agent) => {
    // Each client keeps going until the service is gone: its requests straddle the signal.
    while (exitedAt === 0 && (await oneRequest(service.port, agent, outcomes)) === 'continue');
  });

  await sleep(LOAD_BEFORE_SIGNAL_MS);
  const okBeforeSignal = outcomes.ok;
  const signalledAt = Date.now();
  service.child.kill('SIGTERM');
  await sleep(200);
  const afterListenerClosed = await freshConnection(service.port);

  const exit = await service.exited;
  await Promise.all(clients);
  for (const agent of agents) agent.destroy();
  const shutdownMs = exitedAt - signalledAt;

  console.log(
    `shutdown: ${okBeforeSignal} answered before SIGTERM; then ${outcomes.ok - okBeforeSignal} × 200, ` +
      `${outcomes.unavailable} × 503, ${outcomes.closeAsked} asked to close, ${outcomes.refused} refused, ` +
      `${outcomes.resets.length} reset; new connection after close: ${afterListenerClosed}; exit ${exit.code ?? exit.signal} after ${shutdownMs} ms`,
  );
  expect(okBeforeSignal).toBeGreaterThan(CLIENTS);
  expect(outcomes.resets).toEqual([]);
  expect(outcomes.otherStatus).toEqual([]);
  // Requests in flight at the signal were still answered, with the drain's Connection: close.
  expect(outcomes.closeAsked).toBeGreaterThan(0);
  expect(['ECONNREFUSED', '503']).toContain(afterListenerClosed);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(shutdownMs).toBeLessThan(SHUTDOWN_GRACE_MS);
}, 30_000);
