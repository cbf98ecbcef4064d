// The image's HEALTHCHECK starts `node dist/healthprobe.js` every 30 s beside the running service, inside
// the same memory limit, so what one probe costs is paid for the container's whole life. Measures its
// wall time and peak RSS (GNU time's %M) against a running service, beside the least any Node probe can
// cost: a one-line node:http client. Runs interleaved so that background load affects each alike.
// Usage: npm run bench:probe [-- runs]   (default 15); PROBE_BEFORE=<file> adds another probe to compare.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ROOT, median, ratio, startTarget } from './lib.mjs';

const TIME = '/usr/bin/time';
const runs = Number.parseInt(process.argv[2] ?? '15', 10);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);
if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is missing: apt-get install time`);
if (!existsSync(new URL('../dist/healthprobe.js', import.meta.url)))
  throw new Error('dist/healthprobe.js is missing: run `npm run build` first');

const BARE_PROBE = [
  '-e',
  "require('node:http').get(`http://127.0.0.1:${process.env.PORT}/healthcheck`, (r) => process.exit(r.statusCode === 200 ? 0 : 1))",
];
const variants = [
  { key: 'bare node:http client', args: BARE_PROBE },
  { key: 'dist/healthprobe.js', args: ['dist/healthprobe.js'] },
  ...(process.env.PROBE_BEFORE ? [{ key: process.env.PROBE_BEFORE, args: [process.env.PROBE_BEFORE] }] : []),
];

const service = await startTarget('service');
const port = new URL(service.url).port;
const samples = Object.fromEntries(variants.map(({ key }) => [key, { wallMs: [], peakMb: [] }]));
try {
  for (let run = 0; run < runs; run++) {
    for (const { key, args } of variants) {
      const started = performance.now();
      const result = spawnSync(TIME, ['-f', '%M', process.execPath, ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, PORT: port },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const wallMs = performance.now() - started;
      if (result.status !== 0) throw new Error(`${key} exited ${result.status}: ${result.stderr}`);
      samples[key].wallMs.push(wallMs);
      samples[key].peakMb.push(Number(result.stderr.trim().split('\n').at(-1)) / 1024);
    }
  }
} finally {
  await service.stop();
}

const base = samples[variants[0].key];
const rows = variants.map(({ key }) => {
  const { wallMs, peakMb } = samples[key];
  return (
    `| ${key} | ${median(wallMs).toFixed(0)} | ${Math.min(...wallMs).toFixed(0)} | ${Math.max(...wallMs).toFixed(0)} | ` +
    `${median(peakMb).toFixed(1)} | ${ratio(median(wallMs), median(base.wallMs))} | ${ratio(median(peakMb), median(base.peakMb))} |`
  );
});
console.log(
  [
    `One probe against a running service (dist/main.js), median of ${runs} interleaved runs; peak RSS from GNU time (%M).`,
    '',
    '| probe | median ms | min ms | max ms | peak RSS MB | ÷ bare, wall | ÷ bare, RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
