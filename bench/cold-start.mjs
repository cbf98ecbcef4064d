// Cold start: from spawn to the first 200 on /healthcheck, the service against bare node:http (and
// plain Express for context), interleaved so that background load affects each alike.
import { median, ratio, startTarget } from './lib.mjs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const ORDER = ['service', 'bare', 'express'];

export async function benchColdStart({ env = {}, label = '' } = {}) {
  const times = Object.fromEntries(ORDER.map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const name of ORDER) {
      const target = await startTarget(name, { env: name === 'service' ? env : {} });
      times[name].push(target.readyMs);
      await target.stop();
    }
  }
  const medians = Object.fromEntries(ORDER.map((name) => [name, median(times[name])]));
  const met = medians.service <= 1.3 * medians.bare;
  const markdown = [
    `Spawn → first 200, median of ${RUNS} interleaved runs${label}.`,
    '',
    '| target | median ms | min ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    ...ORDER.map(
      (name) =>
        `| ${name} | ${medians[name].toFixed(0)} | ${Math.min(...times[name]).toFixed(0)} | ${Math.max(...times[name]).toFixed(0)} |`,
    ),
    '',
    `- service vs bare node:http: **${ratio(medians.service, medians.bare)}×** (target ≤ 1.3×): ${met ? 'met' : 'MISSED'}`,
    `- service vs plain Express: ${ratio(medians.service, medians.express)}×`,
  ].join('\n');
  return { markdown, medians, met };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchColdStart()).markdown);
