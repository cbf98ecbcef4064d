/**
 * Property-based fuzzing of raw HTTP against one running service: whatever bytes arrive, the service
 * stays up, answers no 5xx, leaks nothing internal, and still serves /healthcheck afterwards.
 */
import fc from 'fast-check';
import { contractViolations, exchange, traffic } from './http-fuzz.ts';
import { getStatus, serviceForFile } from './service-process.ts';
import { REAL_LIMITS } from './suite-limits.ts';

// Bounded so the run stays within about a minute even on a loaded machine: 2 000 at the real values
// (npm run test:reliability), a quarter of that in npm test; FUZZ_RUNS raises it locally.
const RUNS = Number(process.env.FUZZ_RUNS ?? (REAL_LIMITS ? 2_000 : 500));
// Long enough for any answer on loopback; a request the server is still waiting on (a body that never
// comes) is abandoned then, which is itself a case the server must survive.
const WAIT_MS = 750;

const running = serviceForFile();

test('the contract checks catch what they look for', () => {
  expect(contractViolations('HTTP/1.1 500 Internal Server Error\r\n\r\n')).toEqual(['status 500']);
  expect(
    contractViolations('HTTP/1.1 400 Bad Request\r\n\r\nTypeError: x\n    at f (/app/src/app.ts:1:1)'),
  ).toEqual(['contains a stack frame', 'contains a source path', 'contains an exception']);
  expect(
    contractViolations('HTTP/1.1 400 Bad Request\r\n\r\n{"error":{"message":"Unexpected token }"}}'),
  ).toEqual(['contains a JSON parser message', 'unknown error message Unexpected token }']);
  expect(
    contractViolations('HTTP/1.1 404 Not Found\r\nX-Request-Id: node_modules\r\n\r\n{"message":"Not found"}'),
  ).toEqual([]);
});

test(`${RUNS} fuzzed connections: no crash, no 5xx, no leaks; healthy afterwards`, async () => {
  let abandoned = 0;
  let answered = 0;
  const statuses = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(traffic, async (pieces) => {
      const { response, timedOut } = await exchange(running.service.port, pieces, WAIT_MS);
      if (timedOut) abandoned++;
      if (response.startsWith('HTTP/')) answered++;
      // Answers from the app carry X-Request-Id; those without it come from Node's parser (clientError).
      for (const answer of response.split(/(?=^HTTP\/1\.[01] \d{3})/m)) {
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
        if (status === undefined) continue;
        const key = /^X-Request-Id:/im.test(answer) || status === '100' ? status : `${status} parser`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      expect({ violations: contractViolations(response), response }).toEqual({ violations: [], response });
      expect(running.service.child.exitCode).toBeNull();
    }),
    { numRuns: RUNS, endOnFailure: true },
  );

  console.log(
    `fuzz: ${RUNS} connections, ${answered} answered, ${abandoned} abandoned after ${WAIT_MS} ms; ` +
      `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  expect(await getStatus(`${running.service.baseUrl}/healthcheck`)).toBe(200);
  expect(running.service.child.exitCode).toBeNull();
  // A 5xx or an uncaught exception is logged at error or fatal even when the client never saw it.
  expect(running.service.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
  expect(answered).toBeGreaterThan(RUNS / 2);
}, 180_000);
