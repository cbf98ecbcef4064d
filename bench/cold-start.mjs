// Cold start: from spawn to the first 200 on /healthcheck, of exactly what the image runs (dist/main.js:
// the launcher, the bundle and its code cache), against both plain Express peers and bare node:http,
// interleaved so that background load affects each alike. One more row runs the bundle without its code
// cache (node dist/service.js), to show what the cache buys.
import { GOALS, interleaved, median, ratio, spread, verdict } from './lib.mjs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21);
const VARIANTS = [
  'service',
  'service, no code cache',
  'express minimal',
  'express as users write it',
  'bare',
];

export async function benchColdStart() {
  const times = await interleaved(VARIANTS, RUNS, (_key, started) => started.readyMs);
  const medians = Object.fromEntries(VARIANTS.map((key) => [key, median(times[key])]));
  const perRun = (key, peer) => times[key].map((ms, run) => ms / times[peer][run]);
  const versusExpress = medians.service / medians['express minimal'];
  const versusBare = medians.service / medians.bare;
  const expressOk = versusExpress <= GOALS.coldStartVsExpress;
  const bareOk = versusBare <= GOALS.coldStartVsBare;
  const markdown = [
    `Spawn → first 200 (polled every 2 ms), median of ${RUNS} interleaved runs; in brackets the lowest–highest of the per-run ratios (both measured in the same run).`,
    '',
    '| target | median ms | min ms | max ms | ÷ bare | ÷ express minimal |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...VARIANTS.map(
      (key) =>
        `| ${key} | ${medians[key].toFixed(0)} | ${Math.min(...times[key]).toFixed(0)} | ` +
        `${Math.max(...times[key]).toFixed(0)} | ${ratio(medians[key], medians.bare)} (${spread(perRun(key, 'bare'))}) | ` +
        `${ratio(medians[key], medians['express minimal'])} (${spread(perRun(key, 'express minimal'))}) |`,
    ),
    '',
    `- service vs plain Express, minimal: **${versusExpress.toFixed(2)}×** (goal ≤ ${GOALS.coldStartVsExpress}×): ${verdict(expressOk)}; as users write it: ${ratio(medians.service, medians['express as users write it'])}×`,
    `- service vs bare node:http: **${versusBare.toFixed(2)}×** (goal ≤ ${GOALS.coldStartVsBare}×): ${verdict(bareOk)}`,
    `- the code cache: ${ratio(medians.service, medians['service, no code cache'])}× the start of the same bundle compiled from source`,
  ].join('\n');
  return { markdown, medians, versusExpress, versusBare, expressOk, bareOk, met: expressOk && bareOk };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchColdStart()).markdown);
