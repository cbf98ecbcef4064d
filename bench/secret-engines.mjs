// The figures behind the secret-scan engine choice (docs/decisions.md): on a corpus generated afresh
// (test/hooks/secret-corpus.ts: one sample per gitleaks default rule, the generic and issue-25 kinds, and
// the look-alikes), how many samples each engine refuses, how many look-alikes it flags, and its wall
// time for a one-file commit.
//   secretlint  .secretlintrc.json through security/secret-scan.mjs (the hook's fallback)
//   gitleaks    .gitleaks.toml (the default rules and ours): `gitleaks dir` on the corpus,
//               `gitleaks git --pre-commit --staged` for the one-file commit (what the hook runs)
//   trufflehog  its detectors, unverified (--no-verification: no network here, and a pre-commit hook
//               must not depend on one): `trufflehog filesystem`
// Usage: npm run bench:secrets [-- runs]   (GITLEAKS / TRUFFLEHOG name the binaries, else PATH)
// Prints one table; an engine that is not installed is reported as such, never as zero findings.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findGitleaks } from '../security/gitleaks.mjs';

const projectRoot = resolve(import.meta.dirname, '..');
const runs = Number.parseInt(process.argv[2] ?? '5', 10);
const work = mkdtempSync(join(tmpdir(), 'bench-secrets-'));

function mustRun(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return result;
}

function which(name, variable) {
  if (process.env[variable]) return process.env[variable];
  const found = mustRun('sh', ['-c', `command -v ${name}`]).stdout.trim();
  return found || undefined;
}

/** The corpus module is TypeScript: esbuild (a dev dependency) bundles it for this plain Node script. */
async function corpus() {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const bundle = join(work, 'corpus.cjs');
  await esbuild.build({
    stdin: {
      contents: "export { secretCorpus, lookAlikeCorpus } from './test/hooks/secret-corpus';",
      resolveDir: projectRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'warning',
  });
  const { secretCorpus, lookAlikeCorpus } = createRequire(import.meta.url)(bundle);
  const sets = { secrets: secretCorpus(), lookalikes: lookAlikeCorpus() };
  for (const [name, items] of Object.entries(sets)) {
    for (const { path, content } of items) {
      mkdirSync(dirname(join(work, name, path)), { recursive: true });
      writeFileSync(join(work, name, path), content);
    }
  }
  return sets;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timed(run) {
  const times = [];
  for (let index = 0; index < runs; index += 1) {
    const start = performance.now();
    run();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** Files of `set` with at least one finding, given the paths an engine reported (relative to the set). */
const flaggedItems = (items, paths) => items.filter((item) => paths.has(item.path));

async function secretlintEngine(sets) {
  const { createSecretScanner, looksBinary } = await import('../security/secret-scan.mjs');
  const scanner = await createSecretScanner(projectRoot);
  const scanSet = async (name) => {
    const paths = new Set();
    for (const { path } of sets[name]) {
      const content = readFileSync(join(work, name, path));
      if (looksBinary(content)) continue;
      if ((await scanner.scan(path, content.toString('utf8'))).length > 0) paths.add(path);
    }
    return paths;
  };
  const one = join(work, 'one-file.env');
  writeFileSync(one, 'SESSION_SECRET=replace\n');
  const perCommit = timed(() =>
    mustRun(process.execPath, [
      '--input-type=module',
      '-e',
      `const { createSecretScanner } = await import(${JSON.stringify(join(projectRoot, 'security', 'secret-scan.mjs'))});
       const s = await createSecretScanner(${JSON.stringify(projectRoot)});
       await s.scan('one-file.env', 'SESSION_SECRET=replace\\n');`,
    ]),
  );
  return { secrets: await scanSet('secrets'), lookalikes: await scanSet('lookalikes'), perCommit };
}

function gitleaksEngine(binary) {
  const config = join(projectRoot, '.gitleaks.toml');
  const scanSet = (name) => {
    const report = join(work, `gitleaks-${name}.json`);
    mustRun(binary, [
      'dir',
      join(work, name),
      '--config',
      config,
      '--no-banner',
      '--redact',
      '--exit-code',
      '0',
      '--log-level',
      'error',
      '--report-format',
      'json',
      '--report-path',
      report,
    ]);
    const prefix = `${join(work, name)}/`;
    return new Set(
      JSON.parse(readFileSync(report, 'utf8')).map((finding) => finding.File.replace(prefix, '')),
    );
  };
  const repository = join(work, 'gitleaks-repo');
  mkdirSync(repository);
  mustRun('git', ['init', '-q', repository]);
  writeFileSync(join(repository, 'one-file.env'), 'SESSION_SECRET=replace\n');
  mustRun('git', ['add', 'one-file.env'], { cwd: repository });
  const perCommit = timed(() =>
    mustRun(
      binary,
      [
        'git',
        '--pre-commit',
        '--staged',
        '--config',
        config,
        '--no-banner',
        '--exit-code',
        '0',
        '-l',
        'error',
        '.',
      ],
      { cwd: repository },
    ),
  );
  return { secrets: scanSet('secrets'), lookalikes: scanSet('lookalikes'), perCommit };
}

function trufflehogEngine(binary) {
  const scanSet = (name) => {
    const result = mustRun(binary, [
      'filesystem',
      join(work, name),
      '--no-verification',
      '--json',
      '--no-update',
    ]);
    const prefix = `${join(work, name)}/`;
    const paths = new Set();
    for (const line of result.stdout.split('\n').filter((text) => text.startsWith('{'))) {
      const file = JSON.parse(line).SourceMetadata?.Data?.Filesystem?.file;
      if (file) paths.add(file.replace(prefix, ''));
    }
    return paths;
  };
  const one = join(work, 'one-file.env');
  const perCommit = timed(() =>
    mustRun(binary, ['filesystem', one, '--no-verification', '--json', '--no-update']),
  );
  return { secrets: scanSet('secrets'), lookalikes: scanSet('lookalikes'), perCommit };
}

try {
  const sets = await corpus();
  const engines = [['secretlint (.secretlintrc.json)', () => secretlintEngine(sets)]];
  const gitleaks = findGitleaks();
  engines.push(['gitleaks (.gitleaks.toml)', gitleaks ? () => gitleaksEngine(gitleaks) : undefined]);
  const trufflehog = which('trufflehog', 'TRUFFLEHOG');
  engines.push(['trufflehog (unverified)', trufflehog ? () => trufflehogEngine(trufflehog) : undefined]);
  console.log(
    `corpus: ${sets.secrets.length} secrets (${new Set(sets.secrets.map((item) => item.rule).filter(Boolean)).size} rule ids), ${sets.lookalikes.length} look-alike files; ${runs} timed runs each (median)`,
  );
  console.log('| engine | secrets refused | missed | look-alikes flagged | s per one-file commit |');
  console.log('|---|---|---|---|---|');
  for (const [name, measure] of engines) {
    if (measure === undefined) {
      console.log(`| ${name} | not installed | | | |`);
      continue;
    }
    const result = await measure();
    const refused = flaggedItems(sets.secrets, result.secrets);
    const flagged = flaggedItems(sets.lookalikes, result.lookalikes);
    console.log(
      `| ${name} | ${refused.length}/${sets.secrets.length} | ${sets.secrets.length - refused.length} | ${flagged.length}/${sets.lookalikes.length} | ${result.perCommit.toFixed(3)} |`,
    );
    if (process.env.BENCH_VERBOSE) {
      for (const item of sets.secrets.filter((entry) => !result.secrets.has(entry.path))) {
        console.log(`    missed: ${item.rule ?? '-'} ${item.path}`);
      }
      for (const item of flagged) console.log(`    false alarm: ${item.path}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
