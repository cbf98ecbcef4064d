// Shared by the benchmarks: start a target as its own process on a free loopback port, wait for its
// first 200, drive it with autocannon, read its resident memory from outside.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MB = 1024 * 1024;

const SERVICE_ENV = {
  APP_VERSION: '1.2.3',
  DESCRIPTION: 'benchmark',
  LAST_COMMIT_SHA: 'abcdef1',
  LOG_LEVEL: 'info',
};
// The baselines answer exactly the bytes the service answers.
export const HEALTH_BODY = JSON.stringify({
  myapplication: [
    {
      version: SERVICE_ENV.APP_VERSION,
      description: SERVICE_ENV.DESCRIPTION,
      lastcommitsha: SERVICE_ENV.LAST_COMMIT_SHA,
    },
  ],
});

// `service` is exactly what the image runs: the launcher, the bundle and its code cache, as built.
export const TARGETS = {
  service: { entry: 'dist/main.js', label: 'service (dist/main.js: bundle + code cache)' },
  'service, no code cache': { entry: 'dist/service.js', label: 'the bundle alone, compiled from source' },
  'express minimal': {
    entry: 'bench/baselines/express-minimal.mjs',
    label: 'plain Express 5, res.json, ETag and X-Powered-By off',
  },
  'express as users write it': {
    entry: 'bench/baselines/express-plain.mjs',
    label: 'plain Express 5, res.json, defaults',
  },
  bare: { entry: 'bench/baselines/bare.mjs', label: 'bare node:http' },
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Interleaved rounds: each round starts every target in turn, rotated so that no target always starts
 * right after the same one (background load then affects each alike), and records what
 * `measure(name, target, round)` returns. The target is stopped after each measurement, failed or not.
 * Returns the samples by target name, one a round.
 */
export async function interleaved(names, rounds, measure) {
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const target = await startTarget(name);
      try {
        samples[name].push(await measure(name, target, round));
      } finally {
        await target.stop();
      }
    }
  }
  return samples;
}

function statusOf(url) {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    request.once('error', () => resolve(0));
  });
}

/** Spawns a target and resolves once it answers 200, with the milliseconds that took. */
export async function startTarget(name, { env = {}, nodeFlags = [] } = {}) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, TARGETS[name].entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      HEALTH_BODY,
      ...SERVICE_ENV,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/healthcheck`;
  while ((await statusOf(url)) !== 200) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    if (performance.now() - started > 20_000) throw new Error(`${name} did not answer within 20 s`);
    await sleep(2);
  }
  const readyMs = performance.now() - started;
  return {
    name,
    url,
    pid: child.pid,
    readyMs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export function load(url, options) {
  return autocannon({ url, connections: 50, timeout: 10, ...options });
}

/**
 * VmRSS and its private part, RssAnon. VmRSS also counts the pages of the node executable mapped
 * from disk (RssFile, ~45 MB here), which are shared with every other node process and reclaimable.
 */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = Object.fromEntries(
    [...status.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map(([, name, value]) => [name, Number(value)]),
  );
  return { rss: kB.VmRSS * 1024, anon: kB.RssAnon * 1024, file: kB.RssFile * 1024 };
}

/** CPU time (user + system) the process has used so far, in milliseconds, from /proc/PID/stat. */
export function cpuMsOf(pid) {
  // Fields after the command name, which sits in parentheses and may hold spaces: utime is the 12th,
  // stime the 13th, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ratio = (value, baseline) => (value / baseline).toFixed(2);

/** The spread of a per-round ratio: its lowest and highest value across the rounds. */
export function spread(ratios) {
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
}

/** The goals of issue 18, each a ratio against a baseline measured in the same run. */
export const GOALS = Object.freeze({
  coldStartVsExpress: 0.65,
  coldStartVsBare: 1.6,
  throughputVsExpress: 0.95,
  p99VsExpress: 1.1,
  rssVsExpress: 1.05,
});

export const verdict = (met) => (met ? 'met' : '**MISSED**');
