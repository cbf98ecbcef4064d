/**
 * Every state a connection can be in has a deadline, enforced by the built service and seen from a raw
 * socket: connected but silent; a first request begun but unfinished; headers in progress; body in
 * progress; answered and idle; answered but never read. (A write that never drains: write-stall.test.ts;
 * draining on shutdown: shutdown.test.ts and connection-ceiling.test.ts.) The clients all start at
 * once, so the file lasts as long as the longest deadline (keep-alive, 66 s), not their sum.
 *
 * Each bound is the deadline plus what the design adds (the 1 s checking interval, Node's 1 s
 * keep-alive buffer) plus a fixed tolerance; each lower bound is the deadline itself, so a server that
 * closes too early fails too.
 */
import { LIMITS } from './suite-limits.ts';
import { firstStatus, openRaw, releasedByServer, type RawConnection } from './raw-client.ts';
import { getStatus, sleep, startService, type ServiceProcess } from './service-process.ts';

const TOLERANCE_MS = 2_000;
const CHECK_MS = LIMITS.connectionsCheckingIntervalMs;
// Node closes an idle socket `keepAliveTimeoutBuffer` (1 s by default) after the advertised timeout.
const KEEP_ALIVE_BUFFER_MS = 1_000;
const BODY_LIMIT_BYTES = 1_024;
const REQUEST = 'GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

let service: ServiceProcess;

/** Resolves once `connection` has received a whole answer to `GET /healthcheck`. */
async function answered(connection: RawConnection): Promise<number> {
  while (!/\r\n\r\n\{"myapplication"[^\n]*\}\]\}$/.test(connection.received())) await sleep(10);
  return performance.now();
}

interface Timed {
  /** What the client received (nothing for a client that does not read). */
  readonly received: string;
  /** From the moment the deadline started (the client's last act) to the server letting go. */
  readonly afterMs: number;
}

/** For a client that reads: the server's close is seen as the connection closing. */
async function closedAfter(connection: RawConnection, since: number): Promise<Timed> {
  const { received } = await connection.closed;
  return { received, afterMs: performance.now() - since };
}

/** For a client that does not read (it never sees a FIN): the server's side of the connection is gone. */
async function releasedAfter(connection: RawConnection, since: number): Promise<Timed> {
  const afterMs = await releasedByServer(service.port, connection, since, 250);
  connection.socket.destroy();
  return { received: '', afterMs };
}

type Scenario =
  | 'silent'
  | 'silentNeverReads'
  | 'firstRequestUnfinished'
  | 'headersInProgress'
  | 'bodyInProgress'
  | 'keptAliveIdle'
  | 'neverReads';
const scenarios = {} as Record<Scenario, Promise<Timed>>;

beforeAll(async () => {
  service = await startService({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
  const { port } = service;

  scenarios.silent = openRaw(port).then((connection) => closedAfter(connection, performance.now()));

  // The attacker of issue 17: it never reads, so it never sees the server's FIN; a server that only
  // half-closes (`end`) keeps the socket for as long as the client stays.
  scenarios.silentNeverReads = openRaw(port, { read: false }).then((connection) =>
    releasedAfter(connection, performance.now()),
  );

  scenarios.firstRequestUnfinished = openRaw(port).then((connection) => {
    const since = performance.now();
    connection.socket.write('GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    return closedAfter(connection, since);
  });

  // A second request on a kept-alive connection: its clock starts at its first byte.
  scenarios.headersInProgress = openRaw(port).then(async (connection) => {
    connection.socket.write(REQUEST);
    await answered(connection);
    const since = performance.now();
    connection.socket.write('GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    return closedAfter(connection, since);
  });

  // A body that keeps arriving, one byte a second, and never completes.
  scenarios.bodyInProgress = openRaw(port).then(async (connection) => {
    const since = performance.now();
    connection.socket.write(
      'POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n[',
    );
    const dribble = setInterval(() => connection.socket.writable && connection.socket.write('1'), 1_000);
    const outcome = await closedAfter(connection, since);
    clearInterval(dribble);
    return outcome;
  });

  scenarios.keptAliveIdle = openRaw(port).then(async (connection) => {
    connection.socket.write(REQUEST);
    return closedAfter(connection, await answered(connection));
  });

  // Its answers fit in the kernel's socket buffers (about 2.4 MB of them on loopback here), so Node
  // sees them written and the connection idle: the keep-alive deadline reaps it.
  scenarios.neverReads = openRaw(port, { read: false }).then((connection) => {
    connection.socket.write(REQUEST.repeat(LIMITS.maxPendingAnswersPerConnection));
    return releasedAfter(connection, performance.now());
  });
});

afterAll(async () => {
  await service.stop();
});

function report(name: string, { received, afterMs }: Timed): void {
  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status);
  console.log(
    `${name}: let go by the server after ${Math.round(afterMs)} ms (answers: ${statuses.join(', ') || 'none'})`,
  );
}

describe('Expect', () => {
  /** Writes the headers, waits, and returns what the server said before any body was sent. */
  async function announce(headers: string): Promise<{ connection: RawConnection; said: string }> {
    const connection = await openRaw(service.port);
    connection.socket.write(`POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
    // A server answers the headers at once; waiting longer only proves nothing else was coming.
    for (let waited = 0; waited < 2_000 && connection.received() === ''; waited += 10) await sleep(10);
    await sleep(100);
    return { connection, said: connection.received() };
  }

  test('an announced body over the limit gets 413 and Connection: close, never 100 Continue', async () => {
    const { connection, said } = await announce(
      `Content-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\nExpect: 100-continue\r\n`,
    );
    const { received } = await connection.closed;
    expect(received).not.toContain('100 Continue');
    expect(said).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toContain('Connection: close');
    expect(received).toContain("Content-Security-Policy: default-src 'none'");
    expect(received).toContain('X-Content-Type-Options: nosniff');
    expect(received).toContain('"code":"payload_too_large"');
  });

  test('an announced body within the limit gets 100 Continue and is then read as usual', async () => {
    const body = '{"not json';
    const { connection, said } = await announce(
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n`,
    );
    expect(said).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    connection.socket.write(body);
    const { received } = await connection.closed;
    // The JSON parser read it: its refusal is the proof.
    expect(firstStatus(received.slice(said.length))).toBe(400);
    expect(received).toContain('"code":"bad_request"');
  });

  test('an unknown expectation gets a JSON 417 with the security headers', async () => {
    const { connection, said } = await announce('Content-Length: 2\r\nExpect: something-else\r\n');
    const { received } = await connection.closed;
    expect(said).toMatch(/^HTTP\/1\.1 417 /);
    expect(received).toContain("Content-Security-Policy: default-src 'none'");
    expect(received).toContain('X-Content-Type-Options: nosniff');
    expect(received).toContain('Connection: close');
    expect(received).toContain('"code":"expectation_failed"');
  });
});

describe('deadlines', () => {
  const headersBound = LIMITS.headersTimeoutMs + CHECK_MS + TOLERANCE_MS;
  const keepAliveBound = LIMITS.keepAliveTimeoutMs + KEEP_ALIVE_BUFFER_MS + TOLERANCE_MS;

  // Four states that the headers timeout ends: what a client that reads saw (a 408), and when.
  const headersTimeoutCases: { title: string; scenario: Scenario; label: string; received?: RegExp }[] = [
    {
      title: 'a connection that never sends a byte is answered 408 and closed at the headers timeout',
      scenario: 'silent',
      label: 'connected but silent',
      received: /^HTTP\/1\.1 408 /,
    },
    {
      title: 'a silent connection that never reads is let go at the headers timeout, not kept half-open',
      scenario: 'silentNeverReads',
      label: 'connected, silent, never reads',
    },
    {
      title: 'a first request begun but never finished is answered 408 at the headers timeout',
      scenario: 'firstRequestUnfinished',
      label: 'first request unfinished',
      received: /^HTTP\/1\.1 408 /,
    },
    {
      title: 'headers in progress on a kept-alive connection are answered 408 at the headers timeout',
      scenario: 'headersInProgress',
      label: 'headers in progress',
      received: /\}\]\}HTTP\/1\.1 408 /,
    },
  ];
  test.each(headersTimeoutCases)(
    '$title',
    async ({ scenario, label, received }) => {
      const outcome = await scenarios[scenario];
      report(label, outcome);
      if (received !== undefined) expect(outcome.received).toMatch(received);
      expect(outcome.afterMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 100);
      expect(outcome.afterMs).toBeLessThan(headersBound);
    },
    30_000,
  );

  test('a body still arriving is answered 408 at the request timeout', async () => {
    const outcome = await scenarios.bodyInProgress;
    report('body in progress', outcome);
    expect(firstStatus(outcome.received)).toBe(408);
    expect(outcome.afterMs).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 100);
    expect(outcome.afterMs).toBeLessThan(LIMITS.requestTimeoutMs + CHECK_MS + TOLERANCE_MS);
  }, 30_000);

  test(
    'an idle kept-alive connection stays open for the advertised keep-alive, then is closed',
    async () => {
      const outcome = await scenarios.keptAliveIdle;
      report('answered and idle', outcome);
      expect(outcome.received).toContain(`Keep-Alive: timeout=${LIMITS.keepAliveTimeoutMs / 1000}`);
      expect(outcome.afterMs).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs);
      expect(outcome.afterMs).toBeLessThan(keepAliveBound);
    },
    keepAliveBound + 15_000,
  );

  test(
    'a client that never reads its answers is let go at the keep-alive deadline',
    async () => {
      const outcome = await scenarios.neverReads;
      report('answered, never read', outcome);
      expect(outcome.afterMs).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs);
      expect(outcome.afterMs).toBeLessThan(keepAliveBound);
      // Still serving everyone else, and nothing went wrong inside.
      expect(await getStatus(`${service.baseUrl}/healthcheck`)).toBe(200);
      expect(service.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    },
    keepAliveBound + 15_000,
  );
});
