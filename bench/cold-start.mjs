// Cold start: from spawn to the first 200 on /healthcheck, the service against bare node:http (and
// plain Express for context), interleaved so that background load affects each alike. One more variant
// runs the service with Node's on-disk compile cache (NODE_COMPILE_CACHE), to show what it would buy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ratio, startTarget } from './lib.mjs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

export async function benchColdStart() {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-compile-cache-'));
  const variants = [
    { key: 'service', target: 'service', env: {} },
    { key: 'bare', target: 'bare', env: {} },
    { key: 'express', target: 'express', env: {} },
    { key: 'service + NODE_COMPILE_CACHE', target: 'service', env: { NODE_COMPILE_CACHE: cacheDir } },
  ];
  const times = Object.fromEntries(variants.map(({ key }) => [key, []]));
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const { key, target, env } of variants) {
        const started = await startTarget(target, { env });
        times[key].push(started.readyMs);
        await started.stop();
      }
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const medians = Object.fromEntries(variants.map(({ key }) => [key, median(times[key])]));
  const met = medians.service <= 1.3 * medians.bare;
  const markdown = [
    `Spawn → first 200 (polled every 2 ms), median of ${RUNS} interleaved runs.`,
    '',
    '| target | median ms | min ms | max ms | ÷ bare |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...variants.map(
      ({ key }) =>
        `| ${key} | ${medians[key].toFixed(0)} | ${Math.min(...times[key]).toFixed(0)} | ` +
        `${Math.max(...times[key]).toFixed(0)} | ${ratio(medians[key], medians.bare)} |`,
    ),
    '',
    `- service vs bare node:http: **${ratio(medians.service, medians.bare)}×** (target ≤ 1.3×): ${met ? 'met' : 'MISSED'}`,
    `- service vs plain Express: ${ratio(medians.service, medians.express)}×; ` +
      `with the compile cache: ${ratio(medians['service + NODE_COMPILE_CACHE'], medians.bare)}× bare`,
  ].join('\n');
  return { markdown, medians, met };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchColdStart()).markdown);
