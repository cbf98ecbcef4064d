// Throughput, latency and CPU per request of GET /healthcheck: the service against plain Express (both
// peers) and bare node:http, all running at once and measured in alternating rounds, so drift on a
// shared machine hits each alike. The goals are ratios against "express minimal" in the same round.
import { cpuMsOf, GOALS, load, median, ratio, sleep, spread, startTarget, verdict } from './lib.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP_S = Number(process.env.BENCH_WARM_UP ?? 3);
const ORDER = ['service', 'express minimal', 'express as users write it', 'bare'];
const PEER = 'express minimal';

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
        const cpuBefore = cpuMsOf(targets[name].pid);
        const result = await load(targets[name].url, { duration: DURATION_S });
        const cpuMs = cpuMsOf(targets[name].pid) - cpuBefore;
        if (result.errors || result.non2xx || result.timeouts) {
          throw new Error(
            `${name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
          );
        }
        const cpuUs = (cpuMs * 1000) / result.requests.total;
        runs[name].push({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          cpuUs,
        });
        console.log(
          `http round ${round + 1} ${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${cpuUs.toFixed(1)} µs CPU/request`,
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
      Object.fromEntries(
        ['rps', 'p50', 'p99', 'cpuUs'].map((key) => [key, median(runs[name].map((run) => run[key]))]),
      ),
    ]),
  );
  // Per round, the service against each peer measured in that same round: the spread of these is the
  // honest error bar on a shared machine.
  const perRound = (peer, key) => runs.service.map((run, round) => run[key] / runs[peer][round][key]);
  const service = summary.service;
  const rows = ORDER.map((name) => {
    const target = summary[name];
    const versus =
      name === 'service' ? '—' : `${ratio(service.rps, target.rps)} (${spread(perRound(name, 'rps'))})`;
    const p99Versus =
      name === 'service' ? '—' : `${ratio(service.p99, target.p99)} (${spread(perRound(name, 'p99'))})`;
    const cpuVersus =
      name === 'service' ? '—' : `${ratio(service.cpuUs, target.cpuUs)} (${spread(perRound(name, 'cpuUs'))})`;
    return `| ${name} | ${Math.round(target.rps)} | ${target.p50} | ${target.p99} | ${target.cpuUs.toFixed(1)} | ${versus} | ${p99Versus} | ${cpuVersus} |`;
  });
  const throughput = service.rps / summary[PEER].rps;
  const p99 = service.p99 / summary[PEER].p99;
  const throughputOk = throughput >= GOALS.throughputVsExpress;
  const p99Ok = p99 <= GOALS.p99VsExpress;
  const markdown = [
    `50 connections, ${ROUNDS} rounds of ${DURATION_S} s per target after a ${WARM_UP_S} s warm-up, order rotated each round; medians of the rounds, and in brackets the lowest–highest of the per-round ratios (service and peer measured in the same round). CPU per request: user + system time of the target process (/proc/PID/stat) over the requests it answered — the figure least moved by neighbours, since it counts only the target's own work.`,
    '',
    '| target | req/s | p50 ms | p99 ms | µs CPU/request | service ÷ target, req/s | service ÷ target, p99 | service ÷ target, CPU/request |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- throughput vs plain Express, minimal: **${throughput.toFixed(2)}×** (goal ≥ ${GOALS.throughputVsExpress}×): ${verdict(throughputOk)}; as users write it: ${ratio(service.rps, summary['express as users write it'].rps)}×`,
    `- p99 vs plain Express, minimal: **${p99.toFixed(2)}×** (goal ≤ ${GOALS.p99VsExpress}×): ${verdict(p99Ok)}; as users write it: ${ratio(service.p99, summary['express as users write it'].p99)}×`,
    `- CPU per request vs plain Express, minimal: ${ratio(service.cpuUs, summary[PEER].cpuUs)}×; vs bare node:http: ${ratio(service.cpuUs, summary.bare.cpuUs)}×`,
  ].join('\n');
  return { markdown, summary, throughput, p99, throughputOk, p99Ok, met: throughputOk && p99Ok };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchHttp()).markdown);
