// Throughput and latency of GET /healthcheck: the service against plain Express and bare node:http,
// all running at once and measured in alternating rounds, so drift on a shared machine hits each alike.
import { load, median, ratio, sleep, startTarget } from './lib.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_S = Number(process.env.BENCH_WARM_UP ?? 3);
const ORDER = ['service', 'express', 'bare'];

export async function benchHttp() {
  const targets = {};
  for (const name of ORDER) targets[name] = await startTarget(name);
  const runs = Object.fromEntries(ORDER.map((name) => [name, []]));
  try {
    for (const name of ORDER) await load(targets[name].url, { duration: WARM_UP_S });
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate who goes first so no target always runs on the coolest (or hottest) slot.
      const order = ORDER.map((_, i) => ORDER[(i + round) % ORDER.length]);
      for (const name of order) {
        const result = await load(targets[name].url, { duration: DURATION_S });
        if (result.errors || result.non2xx || result.timeouts) {
          throw new Error(
            `${name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
          );
        }
        runs[name].push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
        console.log(
          `http round ${round + 1} ${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
        );
        await sleep(500);
      }
    }
  } finally {
    for (const target of Object.values(targets)) await target.stop();
  }
  const summary = Object.fromEntries(
    ORDER.map((name) => [
      name,
      {
        rps: median(runs[name].map((run) => run.rps)),
        p50: median(runs[name].map((run) => run.p50)),
        p99: median(runs[name].map((run) => run.p99)),
      },
    ]),
  );
  const { service, express, bare } = summary;
  const rows = ORDER.map(
    (name) =>
      `| ${name} | ${Math.round(summary[name].rps)} | ${summary[name].p50} | ${summary[name].p99} | ` +
      `${ratio(service.rps, summary[name].rps)} | ${ratio(service.p99, summary[name].p99)} |`,
  );
  const throughputOk = service.rps >= 0.9 * express.rps;
  const p99Ok = service.p99 <= 1.2 * express.p99;
  const markdown = [
    `50 connections, ${ROUNDS} rounds of ${DURATION_S} s per target after a ${WARM_UP_S} s warm-up, order rotated each round; medians of the rounds.`,
    '',
    '| target | req/s | p50 ms | p99 ms | service ÷ target, req/s | service ÷ target, p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- throughput vs plain Express: **${ratio(service.rps, express.rps)}×** (target ≥ 0.90×, aim 1.0×): ${throughputOk ? 'met' : 'MISSED'}`,
    `- p99 vs plain Express: **${ratio(service.p99, express.p99)}×** (target ≤ 1.2×): ${p99Ok ? 'met' : 'MISSED'}`,
    `- throughput vs bare node:http: ${ratio(service.rps, bare.rps)}× (for reference)`,
  ].join('\n');
  return { markdown, summary, met: throughputOk && p99Ok };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchHttp()).markdown);
