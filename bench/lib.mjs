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

export const TARGETS = {
  service: { entry: 'dist/main.js', label: 'service (dist/main.js)' },
  express: { entry: 'bench/baselines/express-plain.mjs', label: 'plain Express 5, res.json' },
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

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ratio = (value, baseline) => (value / baseline).toFixed(2);
