// The checks `npm test` makes before Jest (lint, secret scan, format, type check, build), each its own
// npm script as before, run side by side: each mostly waits on its own files and caches, so together
// they take about as long as the slowest (ESLint) rather than the sum. Each check's output is kept and
// printed whole when it ends, so two checks never interleave their lines; the run fails if any check
// fails, and names each one that did.
//
// The build waits for the secret scan: secretlint reads build/ (the source maps), which the build
// removes and writes again.
import { spawn } from 'node:child_process';

const CACHE = 'node_modules/.cache';

/** Each lane runs its checks one after another; the lanes run at once. */
const LANES = [
  [['lint', '--cache', '--cache-strategy', 'content', '--cache-location', `${CACHE}/eslint/`]],
  [['secrets'], ['build']],
  [['format:check', '--cache', '--cache-location', `${CACHE}/prettier/.prettier-cache`]],
  [['typecheck']],
];

function runCheck([script, ...args]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, ...(args.length > 0 ? ['--', ...args] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let finished = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const finish = (status, error = '') => {
      if (finished) return;
      finished = true;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const verdict = status === 0 ? 'passed' : `FAILED (exit ${status})`;
      process.stdout.write(`\n> npm run ${script}: ${verdict} in ${seconds} s\n${output}${error}`);
      resolve({ script, passed: status === 0 });
    };
    child.on('error', (err) => finish(1, `${err.message}\n`));
    child.on('close', (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

async function runLane(checks) {
  const results = [];
  for (const check of checks) {
    const result = await runCheck(check);
    results.push(result);
    if (!result.passed) break;
  }
  return results;
}

const results = (await Promise.all(LANES.map(runLane))).flat();
const failed = results.filter((result) => !result.passed).map((result) => result.script);
const notRun = LANES.flat()
  .map(([script]) => script)
  .filter((script) => !results.some((result) => result.script === script));
if (failed.length > 0) {
  const skipped = notRun.length > 0 ? `; not run after it: ${notRun.join(', ')}` : '';
  console.error(`\nnpm test: failed: ${failed.join(', ')}${skipped}`);
  process.exit(1);
}
