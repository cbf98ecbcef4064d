// Resident memory after 200 000 requests (and a 2 s idle pause), read from /proc outside the process.
import { load, MB, residentBytes, sleep, startTarget } from './lib.mjs';

const REQUESTS = Number(process.env.BENCH_SOAK_REQUESTS ?? 200_000);
const ORDER = ['service', 'express', 'bare'];
const TARGET_MB = 70;

export async function benchMemory() {
  const rows = [];
  const after = {};
  for (const name of ORDER) {
    const target = await startTarget(name);
    try {
      await sleep(500);
      const idle = residentBytes(target.pid);
      const result = await load(target.url, { amount: REQUESTS });
      if (result.errors || result.non2xx)
        throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
      await sleep(2_000);
      after[name] = residentBytes(target.pid);
      rows.push(`| ${name} | ${(idle / MB).toFixed(1)} | ${(after[name] / MB).toFixed(1)} |`);
      console.log(
        `memory ${name}: ${(idle / MB).toFixed(1)} MB idle, ${(after[name] / MB).toFixed(1)} MB after ${REQUESTS}`,
      );
    } finally {
      await target.stop();
    }
  }
  const met = after.service <= TARGET_MB * MB;
  const markdown = [
    `RSS (VmRSS) at idle after start, and 2 s after ${REQUESTS} requests at 50 connections; no forced GC.`,
    '',
    '| target | idle MB | after MB |',
    '| --- | ---: | ---: |',
    ...rows,
    '',
    `- service after ${REQUESTS} requests: **${(after.service / MB).toFixed(1)} MB** (target ≤ ${TARGET_MB} MB): ${met ? 'met' : 'MISSED'}`,
  ].join('\n');
  return { markdown, after, met };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchMemory()).markdown);
