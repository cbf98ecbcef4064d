// `npm run build`: exactly what the image runs, in dist/ (docs/decisions.md, "One bundle, a code cache
// and an SBOM"):
//   dist/main.js            the launcher: loads service.js with its V8 code cache
//   dist/service.js         the service and its production dependencies in one CommonJS file,
//                           unminified so stack traces keep function names and real line numbers
//   dist/service.js.cache   the V8 code cache of service.js, made by this Node after a warm-up
//   dist/healthprobe.js     the image's HEALTHCHECK client, on its own: it loads no Express
//   dist/sbom.cdx.json      CycloneDX SBOM of the production dependencies: the bundle has no
//                           node_modules/**/package.json left for Trivy to find, its SBOM analyzer reads this
//   dist/build-info.json    the package version and the commit the build was made from
//   dist/package.json       {"type": "commonjs"}: the sources are ES modules, the bundles CommonJS
//                           (a V8 code cache is made for a script, and vm runs ES modules only behind
//                           --experimental-vm-modules), so dist/ names its own module system
// and, never shipped, build/: the source maps (how to map a trace: docs/reliability.md) and esbuild's
// metafile, which says which package files went into the bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const artifacts = join(root, 'build');
const require = createRequire(import.meta.url);

function commit() {
  if (process.env.LAST_COMMIT_SHA) return process.env.LAST_COMMIT_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
mkdirSync(artifacts, { recursive: true });

// esbuild strips types without checking them: the compiler still gates the build.
execFileSync(
  process.execPath,
  [
    require.resolve('typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--noEmit',
    // Incremental: a build of an unchanged tree checks nothing again (npm test builds every run).
    '--incremental',
    '--tsBuildInfoFile',
    'node_modules/.cache/tsc/build.tsbuildinfo',
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // What the sources' import.meta means in a CommonJS file (test/support/import-meta-as-commonjs.ts
  // does the same for Jest). A bundle loaded by the launcher is not the main module, as in Node.
  define: { 'import.meta.dirname': '__dirname', 'import.meta.main': 'isMainModule' },
  banner: { js: 'const isMainModule = require.main === module;' },
  // Readable output: function names and line structure stay, so a trace is useful without a map.
  minify: false,
  sourcemap: 'external',
  logLevel: 'warning',
  write: false,
};

async function bundle(entry, outName, options = {}) {
  const result = await build({ ...common, entryPoints: [entry], outfile: join(dist, outName), ...options });
  for (const file of result.outputFiles) {
    // Maps stay out of the image: --enable-source-maps costs start-up time and memory (issue 18).
    const target = file.path.endsWith('.map') ? join(artifacts, 'sourcemaps', outName + '.map') : file.path;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  return result;
}

const service = await bundle('src/main.ts', 'service.js', {
  metafile: true,
  // debug (under Express) tries require('supports-color') for colours and carries on without it; here it
  // is a dev tool's package, absent from the production install, so it stays out of the bundle too.
  external: ['supports-color'],
});
writeFileSync(join(artifacts, 'service.meta.json'), JSON.stringify(service.metafile, null, 1));
await bundle('src/launcher.ts', 'main.js');
await bundle('src/healthprobe.ts', 'healthprobe.js');

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
writeFileSync(join(dist, 'build-info.json'), `${JSON.stringify({ version, commit: commit() })}\n`);

// --- The SBOM, checked against what the bundle holds ----------------------------------------------

/** name@version of every package with a file in the bundle, from the metafile's input paths. */
function bundledPackages(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at === -1) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const directory =
      input.slice(0, at) + 'node_modules/' + rest.slice(0, rest[0].startsWith('@') ? 2 : 1).join('/');
    const manifest = JSON.parse(readFileSync(join(root, directory, 'package.json'), 'utf8'));
    packages.set(`${manifest.name}@${manifest.version}`, directory);
  }
  return packages;
}

// npm writes the SBOM from the lockfile. Its `--omit dev` drops packages that dev tools share with
// production ones (qs, debug, ms, side-channel… were missing), so the whole tree is written and the
// production part is chosen here from the lockfile's own flags: neither dev nor optional (the optional
// dependencies are the pinned Node binaries, which the image does not install).
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const production = new Set(
  Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !entry.dev && !entry.optional && !entry.devOptional)
    .map(
      ([path, entry]) =>
        `${entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 13)}@${entry.version}`,
    ),
);
const npm = spawnSync(
  'npm',
  ['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'application', '--package-lock-only'],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
if (npm.status !== 0) fail(`npm sbom failed: ${npm.stderr}`);
const sbom = JSON.parse(npm.stdout);
sbom.components = sbom.components.filter((component) =>
  production.has(`${component.name}@${component.version}`),
);
const kept = new Set([sbom.metadata.component['bom-ref'], ...sbom.components.map((c) => c['bom-ref'])]);
sbom.dependencies = sbom.dependencies
  .filter((dependency) => kept.has(dependency.ref))
  .map((dependency) => ({ ...dependency, dependsOn: dependency.dependsOn.filter((ref) => kept.has(ref)) }));
// npm names the root after the folder it runs in (/app in the image); the package's own name is truer.
sbom.metadata.component.name = lock.name;
const listed = new Set(sbom.components.map((component) => `${component.name}@${component.version}`));
const bundled = bundledPackages(service.metafile);
const unlisted = [...bundled.keys()].filter((id) => !listed.has(id));
if (unlisted.length > 0) {
  fail(
    `the bundle holds packages the SBOM does not list (a dev-only or unlocked package was bundled?): ${unlisted.join(', ')}`,
  );
}
writeFileSync(join(dist, 'sbom.cdx.json'), `${JSON.stringify(sbom, null, 2)}\n`);

// --- The code cache, made and checked by this Node ----------------------------------------------

const codeCache = join(root, 'scripts', 'code-cache.mjs');
const cacheFile = join(dist, 'service.js.cache');
const made = spawnSync(process.execPath, [codeCache, 'make', dist, cacheFile], {
  cwd: root,
  env: { PATH: process.env.PATH },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (made.status !== 0) fail(`making the code cache failed (exit ${made.status})`);
const verified = spawnSync(process.execPath, [codeCache, 'verify', dist, cacheFile], {
  cwd: root,
  env: { PATH: process.env.PATH },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (verified.status !== 0) fail(`this Node rejects the code cache it just made (exit ${verified.status})`);
