// Wall time of the pre-commit hook for a one-file change, the case a developer meets most often.
// Runs in a throw-away copy of the project (its own repository, hooks installed by the prepare
// script, node_modules linked), so it never touches this checkout's history or index.
// Usage: npm run bench:hooks [-- runs]   (default 7 runs, after one warm-up run that is not counted)
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const projectRoot = resolve(import.meta.dirname, '..');
const runs = Number.parseInt(process.argv[2] ?? '7', 10);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);

const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !name.startsWith('GIT_') && !name.startsWith('npm_') && !['HUSKY', 'CI'].includes(name),
  ),
);
Object.assign(env, {
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
});

function mustRun(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

// Wall time depends on what else the machine runs; CPU time (user + system, of the commit and every
// process under it) does not, so both are shown. Linux only: other systems show wall time alone.
const clockTicksPerSecond = 100;
const reapedChildrenCpuSeconds = () => {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 of stat (cutime, cstime), counted from after the command name.
  return (Number(fields[13]) + Number(fields[14])) / clockTicksPerSecond;
};

// The hook's resident ESLint (eslint_d) is detached, so its CPU time is not among the reaped children:
// it is read from its own /proc entry (utime + stime) and added, so the CPU figure stays the whole cost.
const daemonCpuSeconds = () => {
  try {
    const [, , pid] = readFileSync(join(projectRoot, 'node_modules', 'eslint', '.eslint_d'), 'utf8').split(
      ' ',
    );
    const fields = readFileSync(`/proc/${Number(pid)}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from after the command name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return 0; // no daemon (yet): the commit starts one, whose start-up is then in the reaped children
  }
};

function timedCommit(args, cwd) {
  const cpuBefore = reapedChildrenCpuSeconds();
  const daemonBefore = daemonCpuSeconds();
  const started = performance.now();
  mustRun('git', ['commit', '-q', ...args], cwd);
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = reapedChildrenCpuSeconds();
  const daemon = Math.max(0, daemonCpuSeconds() - daemonBefore);
  return { wall, cpu: cpuBefore === undefined ? undefined : cpuAfter - cpuBefore + daemon };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const root = mkdtempSync(join(tmpdir(), 'bench-precommit-'));
try {
  const repository = join(root, 'work');
  const files = mustRun('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], projectRoot)
    .split('\0')
    .filter((path) => path !== '');
  for (const path of files) {
    try {
      mkdirSync(dirname(join(repository, path)), { recursive: true });
      cpSync(join(projectRoot, path), join(repository, path));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // a tracked file deleted in the working tree
    }
  }
  symlinkSync(join(projectRoot, 'node_modules'), join(repository, 'node_modules'), 'dir');
  mustRun('git', ['init', '-q', '-b', 'main'], repository);
  mustRun('git', ['config', 'user.name', 'Hook Bench'], repository);
  mustRun('git', ['config', 'user.email', 'hook-bench@example.invalid'], repository);
  mustRun('git', ['add', '-A'], repository);
  mustRun('git', ['commit', '-q', '--no-verify', '-m', 'Project copy'], repository);
  mustRun('node', ['scripts/prepare.mjs'], repository);

  // One TypeScript source file, changed in a way every check accepts, committed through the hook;
  // the same commit without the hook (--no-verify) shows what git itself costs.
  const changedFile = join(repository, 'src', 'app.ts');
  const change = (label) => {
    appendFileSync(changedFile, `// ${label}\n`);
    mustRun('git', ['add', 'src/app.ts'], repository);
  };
  const withHook = [];
  const withoutHook = [];
  const cpuWithHook = [];
  for (let run = 0; run <= runs; run += 1) {
    change(`bench run ${run}`);
    const hooked = timedCommit(['-m', `Bench run ${run}`], repository);
    change(`bench run ${run} without the hook`);
    const bare = timedCommit(['--no-verify', '-m', `Bench run ${run} without the hook`], repository);
    const cpu = hooked.cpu === undefined ? '' : `, CPU ${hooked.cpu.toFixed(2)} s`;
    const line = `${hooked.wall.toFixed(2)} s${cpu} (git alone: ${bare.wall.toFixed(2)} s)`;
    if (run === 0) {
      console.log(`warm-up: ${line}, not counted`);
      continue;
    }
    console.log(`run ${run}: ${line}`);
    withHook.push(hooked.wall);
    withoutHook.push(bare.wall);
    if (hooked.cpu !== undefined) cpuWithHook.push(hooked.cpu);
  }
  console.log(
    `median of ${runs}: ${median(withHook).toFixed(2)} s wall per commit of one staged .ts file, hook included`,
  );
  if (cpuWithHook.length > 0)
    console.log(`median CPU time (user + system, all processes): ${median(cpuWithHook).toFixed(2)} s`);
  console.log(`median of the same commit without the hook: ${median(withoutHook).toFixed(2)} s`);
  // The target is wall time on a quiet 2-core machine; the ratio to git's own cost in the same run is
  // what stays comparable when the machine is busy.
  const hooked = median(withHook);
  console.log(
    `hook ÷ git alone: ${(hooked / median(withoutHook)).toFixed(1)}×; target median ≤ 0.50 s warm: ${hooked <= 0.5 ? 'met' : 'MISSED'}`,
  );
  if (existsSync('/proc/loadavg')) {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`load average at the end: ${load} (${availableParallelism()} CPUs)`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
