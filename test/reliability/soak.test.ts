/**
 * Soak: 200 000 requests must leave neither a leak in the JavaScript heap nor a large resident set.
 * Garbage is collected through the inspector (see inspector.ts), then both are read from outside.
 */
import autocannon from 'autocannon';
import { scaledCount } from './suite-limits.ts';
import { MB, memoryOf, sleep, serviceForFile } from './service-process.ts';

// 200 000 at the real values (npm run test:reliability), a tenth in npm test (test/reliability/suite-limits.ts).
const SOAK_REQUESTS = scaledCount(200_000);
const WARM_UP_REQUESTS = scaledCount(20_000);
// Measured here after GC: VmRSS ~75 MB, of which ~50 MB are pages of the node executable mapped from
// disk (shared, the same for any node process) and ~25 MB private (RssAnon). The bounds leave room for
// V8 keeping part of the heap it grew under load; a leak of 100 bytes per request (20 MB) breaks them.
const RSS_BOUND_BYTES = 90 * MB;
const PRIVATE_BOUND_BYTES = 40 * MB;
// Once collected, what is still reachable must not grow with the request count: 200 000 requests
// leaking even 10 bytes each would show as 2 MB.
const HEAP_GROWTH_BOUND_BYTES = 2 * MB;

const running = serviceForFile({ inspect: true });

async function hammer(amount: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${running.service.baseUrl}/healthcheck`,
    connections: 50,
    amount,
    timeout: 10,
  });
  expect(result.errors).toBe(0);
  expect(result.non2xx).toBe(0);
  return result;
}

test(`${SOAK_REQUESTS} requests: heap does not grow, RSS within ${RSS_BOUND_BYTES / MB} MB (private ${PRIVATE_BOUND_BYTES / MB} MB)`, async () => {
  await hammer(WARM_UP_REQUESTS);
  const heapAfterWarmUp = await running.inspector.collectGarbage();
  const afterWarmUp = memoryOf(running.service.pid);

  const result = await hammer(SOAK_REQUESTS);
  await sleep(2_000);
  const idle = memoryOf(running.service.pid);
  const heapAfterSoak = await running.inspector.collectGarbage();
  await sleep(500);
  const afterGc = memoryOf(running.service.pid);

  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  console.log(
    `soak: ${result.requests.total} requests at ${Math.round(result.requests.average)} req/s; ` +
      `heap used after GC ${mb(heapAfterWarmUp.usedSize)} → ${mb(heapAfterSoak.usedSize)} MB; ` +
      `VmRSS (private) after warm-up ${mb(afterWarmUp.rss)} (${mb(afterWarmUp.anon)}) MB, idle after soak ` +
      `${mb(idle.rss)} (${mb(idle.anon)}) MB, after GC ${mb(afterGc.rss)} (${mb(afterGc.anon)}) MB`,
  );
  expect(result.requests.total).toBeGreaterThanOrEqual(SOAK_REQUESTS);
  expect(heapAfterSoak.usedSize - heapAfterWarmUp.usedSize).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
  expect(afterGc.rss).toBeLessThan(RSS_BOUND_BYTES);
  expect(afterGc.anon).toBeLessThan(PRIVATE_BOUND_BYTES);
}, 120_000);
