/**
 * Soak: 200 000 requests must leave neither a leak in the JavaScript heap nor a large resident set.
 * Garbage is collected through the inspector (see inspector.ts), then both are read from outside.
 */
import autocannon from 'autocannon';
import { InspectorSession, inspectorUrl } from './inspector';
import { MB, residentBytes, sleep, startService, type ServiceProcess } from './service-process';

const SOAK_REQUESTS = 200_000;
const WARM_UP_REQUESTS = 20_000;
// Node 24 with Express, helmet and pino idles near 50 MB here; 80 MB leaves room for V8 keeping some
// of the heap it grew under load, while a leak of a few hundred bytes per request would pass it.
const RSS_BOUND_BYTES = 80 * MB;
// Once collected, what is still reachable must not grow with the request count: 200 000 requests
// leaking even 10 bytes each would show as 2 MB.
const HEAP_GROWTH_BOUND_BYTES = 2 * MB;

let service: ServiceProcess;
let inspector: InspectorSession;

beforeAll(async () => {
  service = await startService({ nodeFlags: ['--inspect=127.0.0.1:0'] });
  inspector = await InspectorSession.open(inspectorUrl(service.stderr()));
});

afterAll(async () => {
  inspector?.close();
  await service.stop();
});

async function hammer(amount: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${service.baseUrl}/healthcheck`,
    connections: 50,
    amount,
    timeout: 10,
  });
  expect(result.errors).toBe(0);
  expect(result.non2xx).toBe(0);
  return result;
}

test(`${SOAK_REQUESTS} requests: heap does not grow, RSS stays within ${RSS_BOUND_BYTES / MB} MB`, async () => {
  await hammer(WARM_UP_REQUESTS);
  const heapAfterWarmUp = await inspector.collectGarbage();
  const rssAfterWarmUp = residentBytes(service.pid);

  const result = await hammer(SOAK_REQUESTS);
  await sleep(2_000);
  const rssIdle = residentBytes(service.pid);
  const heapAfterSoak = await inspector.collectGarbage();
  await sleep(500);
  const rssAfterGc = residentBytes(service.pid);

  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  console.log(
    `soak: ${result.requests.total} requests at ${Math.round(result.requests.average)} req/s; ` +
      `heap used after GC ${mb(heapAfterWarmUp.usedSize)} → ${mb(heapAfterSoak.usedSize)} MB; ` +
      `RSS after warm-up ${mb(rssAfterWarmUp)} MB, idle after soak ${mb(rssIdle)} MB, after GC ${mb(rssAfterGc)} MB`,
  );
  expect(result.requests.total).toBeGreaterThanOrEqual(SOAK_REQUESTS);
  expect(heapAfterSoak.usedSize - heapAfterWarmUp.usedSize).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
  expect(rssAfterGc).toBeLessThan(RSS_BOUND_BYTES);
}, 120_000);
