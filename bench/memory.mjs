// Resident memory after 200 000 requests (and a 2 s idle pause), read from /proc outside the process,
// for the service and both plain Express peers (bare node:http for reference), in interleaved rounds.
import { GOALS, interleaved, load, MB, median, memoryOf, ratio, sleep, spread, verdict } from './lib.mjs';

const REQUESTS = Number(process.env.BENCH_SOAK_REQUESTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 3);
const ORDER = ['service', 'express minimal', 'express as users write it', 'bare'];
const PEER = 'express minimal';

export async function benchMemory() {
  const samples = await interleaved(ORDER, ROUNDS, async (name, target, round) => {
    await sleep(500);
    const idle = memoryOf(target.pid);
    const result = await load(target.url, { amount: REQUESTS });
    if (result.errors || result.non2xx)
      throw new Error(`${name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
    await sleep(2_000);
    const after = memoryOf(target.pid);
    console.log(
      `memory round ${round + 1} ${name}: ${(idle.rss / MB).toFixed(1)} MB idle, ${(after.rss / MB).toFixed(1)} MB after ${REQUESTS}`,
    );
    return { idle, after };
  });
  const mb = (bytes) => (bytes / MB).toFixed(1);
  const med = (name, pick) => median(samples[name].map(pick));
  const perRound = (peer) => samples.service.map((s, round) => s.after.rss / samples[peer][round].after.rss);
  const rows = ORDER.map(
    (name) =>
      `| ${name} | ${mb(med(name, (s) => s.idle.rss))} | ${mb(med(name, (s) => s.idle.anon))} | ` +
      `${mb(med(name, (s) => s.after.rss))} | ${mb(med(name, (s) => s.after.anon))} | ${mb(med(name, (s) => s.after.file))} | ` +
      `${
        name === 'service'
          ? '—'
          : `${ratio(
              med('service', (s) => s.after.rss),
              med(name, (s) => s.after.rss),
            )} (${spread(perRound(name))})`
      } |`,
  );
  const versus = med('service', (s) => s.after.rss) / med(PEER, (s) => s.after.rss);
  const met = versus <= GOALS.rssVsExpress;
  const markdown = [
    `Memory at idle after start, and 2 s after ${REQUESTS} requests at 50 connections, no forced GC; medians of ${ROUNDS} interleaved rounds, in brackets the lowest–highest of the per-round ratios. VmRSS is what`,
    '`ps` and the goal count; RssAnon is the private part; RssFile is mostly the node executable mapped from disk,',
    'shared with every other node process.',
    '',
    '| target | idle VmRSS MB | idle RssAnon MB | after VmRSS MB | after RssAnon MB | after RssFile MB | service ÷ target, after VmRSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- service VmRSS after ${REQUESTS} requests vs plain Express, minimal: **${versus.toFixed(2)}×** (goal ≤ ${GOALS.rssVsExpress}×): ${verdict(met)}; as users write it: ${ratio(
      med('service', (s) => s.after.rss),
      med('express as users write it', (s) => s.after.rss),
    )}×`,
  ].join('\n');
  return { markdown, versus, met };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchMemory()).markdown);
