// Resident memory after 200 000 requests (and a 2 s idle pause), read from /proc outside the process.
import { load, MB, memoryOf, sleep, startTarget } from './lib.mjs';

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
      const idle = memoryOf(target.pid);
      const result = await load(target.url, { amount: REQUESTS });
      if (result.errors || result.non2xx)
        throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
      await sleep(2_000);
      after[name] = memoryOf(target.pid);
      const mb = (bytes) => (bytes / MB).toFixed(1);
      rows.push(
        `| ${name} | ${mb(idle.rss)} | ${mb(idle.anon)} | ${mb(after[name].rss)} | ${mb(after[name].anon)} | ${mb(after[name].file)} |`,
      );
      console.log(`memory ${name}: ${mb(idle.rss)} MB idle, ${mb(after[name].rss)} MB after ${REQUESTS}`);
    } finally {
      await target.stop();
    }
  }
  const met = after.service.rss <= TARGET_MB * MB;
  const markdown = [
    `Memory at idle after start, and 2 s after ${REQUESTS} requests at 50 connections, no forced GC. VmRSS is what`,
    '`ps` and the target count; RssAnon is the private part; RssFile is mostly the node executable mapped from disk,',
    'shared with every other node process (the same for all three targets).',
    '',
    '| target | idle VmRSS MB | idle RssAnon MB | after VmRSS MB | after RssAnon MB | after RssFile MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- service VmRSS after ${REQUESTS} requests: **${(after.service.rss / MB).toFixed(1)} MB** (target ≤ ${TARGET_MB} MB): ${met ? 'met' : 'MISSED'}; ` +
      `plain Express ${(after.express.rss / MB).toFixed(1)} MB, bare node:http ${(after.bare.rss / MB).toFixed(1)} MB ` +
      `(service ÷ Express ${(after.service.rss / after.express.rss).toFixed(2)}×)`,
  ].join('\n');
  return { markdown, after, met };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchMemory()).markdown);
