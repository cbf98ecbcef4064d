/**
 * Sustained load against the built service: 100 connections for 30 s must produce no error, no
 * timeout and nothing but 200s. Throughput and latency are printed, never asserted (shared machine).
 */
import autocannon from 'autocannon';
import { REAL_LIMITS } from './suite-limits.ts';
import { serviceForFile } from './service-process.ts';

// Thirty seconds at the real values (npm run test:reliability), two in npm test.
const LOAD_SECONDS = REAL_LIMITS ? 30 : 2;
const CONNECTIONS = 100;

const running = serviceForFile();

test(`${CONNECTIONS} connections for ${LOAD_SECONDS} s: no errors, no timeouts, only 200`, async () => {
  const result = await autocannon({
    url: `${running.service.baseUrl}/healthcheck`,
    connections: CONNECTIONS,
    duration: LOAD_SECONDS,
    timeout: 10,
  });

  console.log(
    `load: ${result.requests.total} requests, ${Math.round(result.requests.average)} req/s; latency ms ` +
      `p50 ${result.latency.p50} p90 ${result.latency.p90} p99 ${result.latency.p99} max ${result.latency.max}`,
  );
  expect(result.requests.total).toBeGreaterThan(1_000);
  expect(result.errors).toBe(0);
  expect(result.timeouts).toBe(0);
  expect(result.non2xx).toBe(0);
  expect(result.resets).toBe(0);
  expect(Object.keys(result.statusCodeStats ?? {})).toEqual(['200']);
  expect(running.service.child.exitCode).toBeNull();
  expect(running.service.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
}, 60_000);
