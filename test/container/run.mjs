// The container test: builds the real Dockerfile, runs the image the way an operator is told to
// (read-only root, no capabilities, no privilege gain, published on loopback only) and checks the
// contract, the user, the health check, graceful stop, the image's contents and its labels.
//
// Needs a container engine: Docker when `docker info` answers, else podman (with `--runtime runc`
// when runc is installed; PODMAN_RUNTIME overrides). Not part of `npm test`, which needs no engine.
//
// Bases: by default local stand-ins for the pinned bases (security/gates/standin-bases.mjs), because
// registries may be out of reach; they are kept between runs, tagged by a hash of their content
// (CONTAINER_TEST_KEEP_BASES=0 removes them at the end). CONTAINER_TEST_BASES=pinned builds on the
// Dockerfile's own pinned bases instead (needs registry access). Every container and every image the
// test builds is removed at the end, also on failure or Ctrl-C.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { baseImages } from '../../security/dockerfile-policy.ts';
import { HARDENING_FLAGS } from '../../security/gates/containers.ts';
import { detectEngine, freePort, waitUntilAnswering } from '../../security/gates/engine.ts';
import { readServiceDescription, standInArguments } from '../../security/gates/service-description.ts';
import {
  projectBuildArguments,
  removeStandinBases,
  standinBasesHere,
  withChecks,
} from '../../security/gates/standin-bases.mjs';
import { createTally } from '../support/tally.mjs';

const RUN_ID = randomBytes(4).toString('hex');
const IMAGE_REPOSITORY = 'localhost/healthcheck-container-test';
const STOP_LIMIT_MS = 5_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The port, the default description and the required settings' stand-ins: src/service.json, as the
// service, the gates and CI read them (an adopted or re-ported copy needs no edit here).
const SERVICE = readServiceDescription(ROOT);
const CONTAINER_PORT = SERVICE.port;
const BUILD_ARGS = Object.freeze({
  APP_VERSION: `9.8.7-ctest.${RUN_ID}`,
  DESCRIPTION: 'Container test: PI technical example',
  LAST_COMMIT_SHA: randomBytes(20).toString('hex'),
});
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

// ---- tally ----------------------------------------------------------------------------------------
const tally = createTally();
const { check, log } = tally;

// ---- helpers --------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function waitForService(engine, container, url, timeoutMs = 30_000) {
  return waitUntilAnswering(
    url,
    timeoutMs,
    async () => (await engine.inspect('container', container)).State.Running,
  );
}

/** The image reference of the Dockerfile's FROM line for a stage, as written (never through an ARG). */
function pinnedBase(stageName) {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  return baseImages(dockerfile).find(({ stage }) => stage === stageName)?.reference;
}
const pinnedRuntimeBase = () => pinnedBase('runtime');

/** `tar -tv` of the image's filesystem: [{ path, size, owner, mode }]. */
async function imageFiles(engine, image, workDir) {
  const container = `healthcheck-ctest-files-${RUN_ID}`;
  const archive = join(workDir, 'image.tar');
  await engine.run(['create', '--name', container, image]);
  try {
    await engine.run(['export', '-o', archive, container]);
  } finally {
    await engine.attempt(['rm', '-f', container]);
  }
  const listing = spawnSync('tar', ['--numeric-owner', '-tvf', archive], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  rmSync(archive, { force: true });
  return listing.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [mode, owner, size, , , ...rest] = line.split(/\s+/);
      const path = rest
        .join(' ')
        .replace(/ -> .*$/, '')
        .replace(/^\.?\//, '');
      return { mode, owner, size: Number(size), path };
    });
}

const megabytes = (bytes) => `${(bytes / 1_000_000).toFixed(1)} MB`;

// ---- the test -------------------------------------------------------------------------------------
const made = { containers: [], images: [] };
let engineForCleanup;
let workDir;

async function cleanUp() {
  if (engineForCleanup) {
    for (const container of made.containers.splice(0))
      await engineForCleanup.attempt(['rm', '-f', container]);
    for (const image of made.images.splice(0)) await engineForCleanup.attempt(['rmi', '-f', image]);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.log(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function build(engine, tag, buildArgs, bases) {
  made.images.push(tag);
  const started = Date.now();
  const args = projectBuildArguments(engine.name, { root: ROOT, tag, bases, buildArgs });
  const result = await engine.attempt(args, { timeout: 600_000, env: { DOCKER_BUILDKIT: '1' } });
  log(`${engine.name} build ${tag}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function startContainer(engine, image, name, extraArgs = []) {
  const port = await freePort();
  made.containers.push(name);
  await engine.run([
    'run',
    '-d',
    '--name',
    name,
    ...HARDENING_FLAGS,
    '-p',
    `127.0.0.1:${port}:${CONTAINER_PORT}`,
    ...standInArguments(SERVICE),
    ...extraArgs,
    image,
  ]);
  const url = `http://127.0.0.1:${port}/healthcheck`;
  const up = await waitForService(engine, name, url);
  return { url, up };
}

/** Runs node inside the running container (the image has no shell) and returns what it prints. */
function nodeInContainer(engine, container, script, extraArgs = []) {
  return engine.attempt(['exec', ...extraArgs, container, '/nodejs/bin/node', '-e', script]);
}

async function checkRunningService(engine, image, expected) {
  const container = `healthcheck-ctest-${RUN_ID}`;
  const { url, up } = await startContainer(
    engine,
    image,
    container,
    engine.name === 'docker' ? ['--health-interval=2s'] : [],
  );
  if (
    !check(
      'service answers on the published loopback port (read-only, no capabilities, no-new-privileges)',
      up,
      (await engine.attempt(['logs', container])).stderr,
    )
  ) {
    return;
  }

  const response = await fetch(url);
  const body = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  check(
    'GET /healthcheck: 200, JSON, the build-arg values',
    response.status === 200 &&
      (response.headers.get('content-type') ?? '').startsWith('application/json') &&
      isDeepStrictEqual(parsed, {
        myapplication: [
          {
            version: expected.APP_VERSION,
            description: expected.DESCRIPTION,
            lastcommitsha: expected.LAST_COMMIT_SHA,
          },
        ],
      }),
    `${response.status} ${body}`,
  );
  const head = await fetch(url, { method: 'HEAD' });
  const headBody = await head.text();
  check(
    'HEAD /healthcheck: 200, no body, same length as GET',
    head.status === 200 &&
      headBody === '' &&
      head.headers.get('content-length') === String(Buffer.byteLength(body)),
    `${head.status} length=${head.headers.get('content-length')} body=${JSON.stringify(headBody)}`,
  );

  const status = await nodeInContainer(
    engine,
    container,
    "process.stdout.write(require('fs').readFileSync('/proc/1/status','utf8'))",
  );
  const statusFields = new Map(
    status.stdout.split('\n').map((line) => {
      const [name = '', value = ''] = line.split(/:\s*/, 2);
      return [name, value.trim().split(/\s+/)];
    }),
  );
  const field = (name) => statusFields.get(name) ?? [];
  check(
    'PID 1 runs as uid 65532 and gid 65532 (real, effective, saved)',
    [...field('Uid'), ...field('Gid')].every((id) => id === '65532') && field('Uid').length === 4,
    status.stdout + status.stderr,
  );
  check(
    'PID 1 has no effective, permitted or bounding capabilities',
    ['CapEff', 'CapPrm', 'CapBnd'].every((name) => /^0+$/.test(field(name)[0] ?? 'x')),
    status.stdout,
  );
  check('PID 1 cannot gain privileges (NoNewPrivs: 1)', field('NoNewPrivs')[0] === '1', status.stdout);
  const cmdline = await nodeInContainer(
    engine,
    container,
    "process.stdout.write(require('fs').readFileSync('/proc/1/cmdline','utf8').split('\\0').join(' '))",
  );
  check(
    'PID 1 is node running dist/main.js directly (no npm, no shell)',
    /^\/nodejs\/bin\/node \/app\/dist\/main\.js\s*$/.test(cmdline.stdout),
    cmdline.stdout + cmdline.stderr,
  );
  const write = await nodeInContainer(
    engine,
    container,
    "try { require('fs').writeFileSync('/app/dist/main.js', 'x'); console.log('WROTE') } catch (e) { console.log(e.code) }",
  );
  check(
    'the application files cannot be rewritten at run time',
    /^(EROFS|EACCES)$/.test(write.stdout.trim()),
    write.stdout + write.stderr,
  );

  // The code cache: made in the image by its own Node, so that Node must accept it (a rejected cache
  // still starts the service, only slower, which no other check here would notice).
  const cache = await nodeInContainer(
    engine,
    container,
    "const { compileService } = require('/app/dist/main.js'); process.stdout.write(String(compileService('/app/dist').cacheRejected))",
  );
  check(
    "the image's Node accepts the code cache the build made (dist/service.js.cache)",
    cache.stdout === 'false',
    cache.stdout + cache.stderr,
  );
  // Trivy's view of the image: with no node_modules, the packages it can report are those the SBOM
  // names. esbuild marks every module it bundles with a `// node_modules/<package>/…` comment.
  const inventory = await nodeInContainer(
    engine,
    container,
    [
      "const fs = require('fs');",
      "const bundle = fs.readFileSync('/app/dist/service.js', 'utf8');",
      'const bundled = new Set();',
      String.raw`for (const [, path] of bundle.matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm)) {`,
      "  const parts = path.slice(path.lastIndexOf('node_modules/') + 13).split('/');",
      "  bundled.add(parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/'));",
      '}',
      "const sbom = JSON.parse(fs.readFileSync('/app/dist/sbom.cdx.json', 'utf8'));",
      'process.stdout.write(JSON.stringify({ bundled: [...bundled], listed: sbom.components.map((c) => c.name), format: sbom.bomFormat }));',
    ].join('\n'),
  );
  let seen = { bundled: [], listed: [], format: undefined };
  try {
    seen = JSON.parse(inventory.stdout);
  } catch {
    // reported by the checks below
  }
  const unlisted = seen.bundled.filter((name) => !seen.listed.includes(name));
  check(
    `the image's SBOM (CycloneDX) names every package in its bundle (${seen.bundled.length} bundled, ${seen.listed.length} listed)`,
    seen.format === 'CycloneDX' && seen.bundled.length > 0 && unlisted.length === 0,
    unlisted.join(', ') + inventory.stderr,
  );

  if (engine.name === 'podman') {
    const health = await engine.attempt(['healthcheck', 'run', container]);
    check(
      'the image HEALTHCHECK passes (podman healthcheck run)',
      health.status === 0,
      health.stdout + health.stderr,
    );
  } else {
    let healthStatus = '';
    for (let i = 0; i < 30 && healthStatus !== 'healthy'; i += 1) {
      healthStatus = (await engine.inspect('container', container)).State.Health?.Status ?? 'none';
      if (healthStatus !== 'healthy') await sleep(1_000);
    }
    check('the image HEALTHCHECK passes (docker reports healthy)', healthStatus === 'healthy', healthStatus);
  }
  const probeElsewhere = await engine.attempt([
    'exec',
    '-e',
    'PORT=1',
    container,
    '/nodejs/bin/node',
    '/app/dist/healthprobe.js',
  ]);
  check(
    'the health probe fails when nothing answers (it can report unhealthy)',
    probeElsewhere.status === 1,
    `exit ${probeElsewhere.status}`,
  );

  const started = Date.now();
  await engine.run(['stop', '-t', '10', container]);
  const stopMs = Date.now() - started;
  const state = (await engine.inspect('container', container)).State;
  check(
    `stop: SIGTERM ends the service in under ${STOP_LIMIT_MS / 1000} s (took ${stopMs} ms)`,
    stopMs < STOP_LIMIT_MS,
  );
  check('stop: exit code 0', state.ExitCode === 0, `ExitCode ${state.ExitCode}`);
  const logs = await engine.attempt(['logs', container]);
  check(
    'stop: the service logged a drained shutdown',
    /"outcome":"drained"/.test(logs.stdout + logs.stderr),
    (logs.stdout + logs.stderr).slice(-1500),
  );
}

async function checkImageConfig(engine, image, expected) {
  const inspected = await engine.inspect('image', image);
  const config = inspected.Config ?? {};
  const healthcheck = config.Healthcheck ?? inspected.Healthcheck;
  check('image user is 65532:65532', config.User === '65532:65532', config.User);
  check(
    'image sets NODE_ENV=production',
    (config.Env ?? []).includes('NODE_ENV=production'),
    (config.Env ?? []).join(' '),
  );
  check(
    `image exposes ${CONTAINER_PORT}/tcp (src/service.json's port), and only that`,
    isDeepStrictEqual(Object.keys(config.ExposedPorts ?? {}), [`${CONTAINER_PORT}/tcp`]),
    JSON.stringify(config.ExposedPorts),
  );
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  check(
    'image starts node on dist/main.js, never npm',
    isDeepStrictEqual(command, ['/nodejs/bin/node', '/app/dist/main.js']),
    JSON.stringify(command),
  );
  check(
    'image HEALTHCHECK is exec form, runs the node probe',
    healthcheck?.Test?.[0] === 'CMD' && healthcheck.Test.includes('/app/dist/healthprobe.js'),
    JSON.stringify(healthcheck),
  );
  const labels = config.Labels ?? inspected.Labels ?? {};
  const want = {
    'org.opencontainers.image.version': expected.APP_VERSION,
    'org.opencontainers.image.revision': expected.LAST_COMMIT_SHA,
    'org.opencontainers.image.description': expected.DESCRIPTION,
    'org.opencontainers.image.title': PACKAGE.name,
    'org.opencontainers.image.licenses': PACKAGE.license,
  };
  const wrong = Object.entries(want).filter(([name, value]) => labels[name] !== value);
  check(
    'OCI labels: version, revision, description, title, licenses',
    wrong.length === 0,
    JSON.stringify(Object.fromEntries(wrong.map(([name]) => [name, labels[name]]))),
  );
  check('OCI label source is declared', 'org.opencontainers.image.source' in labels);
  return inspected.Size;
}

async function checkImageFiles(engine, image) {
  const files = await imageFiles(engine, image, workDir);
  const paths = files.map((file) => file.path);
  const appEntries = new Set(
    paths
      .filter((path) => path.startsWith('app/'))
      .map((path) => path.split('/')[1])
      .filter(Boolean),
  );
  check(
    '/app holds only dist/ and package.json (the bundle holds the dependencies)',
    isDeepStrictEqual([...appEntries].sort(), ['dist', 'package.json']),
    [...appEntries].join(', '),
  );
  for (const file of [
    'app/dist/main.js',
    'app/dist/service.js',
    'app/dist/service.js.cache',
    'app/dist/sbom.cdx.json',
    'app/dist/healthprobe.js',
    'app/dist/build-info.json',
    'app/package.json',
  ]) {
    check(`image holds ${file}`, paths.includes(file));
  }
  const cacheFile = files.find((file) => file.path === 'app/dist/service.js.cache');
  check(
    'the code cache is read-only to everyone and owned by root (-r--r--r-- 0/0)',
    cacheFile?.mode === '-r--r--r--' && cacheFile.owner === '0/0',
    `${cacheFile?.mode} ${cacheFile?.owner}`,
  );
  const forbidden = [
    [
      'source or tests (src/, test/, *.ts)',
      (path) => /^app\/(src|test)\//.test(path) || /^app\/dist\/.*\.ts$/.test(path),
    ],
    ['git metadata (.git)', (path) => /(^|\/)\.git(\/|$)/.test(path)],
    // Maps stay build artifacts: --enable-source-maps would cost start-up time and memory (issue 18).
    ['source maps or the bundle metafile (*.map, *.meta.json)', (path) => /\.(map|meta\.json)$/.test(path)],
    [
      'build config (tsconfig, Dockerfile, lockfile, .npmrc)',
      (path) => /^app\/(tsconfig[^/]*|Dockerfile|package-lock\.json|\.npmrc|scripts\/.*)$/.test(path),
    ],
    ['npm caches (.npm, _cacache)', (path) => /(^|\/)(\.npm|_cacache)(\/|$)/.test(path)],
    [
      'npm or npx',
      (path) =>
        /(^|\/)node_modules\/(npm|npx|corepack)\//.test(path) || /(^|\/)bin\/(npm|npx|corepack)$/.test(path),
    ],
    ['shell (sh, bash, ash, busybox)', (path) => /^(usr\/)?bin\/(sh|bash|dash|ash|busybox)$/.test(path)],
    ...Object.keys(PACKAGE.devDependencies).map((name) => [
      `dev dependency ${name}`,
      (path) => path.startsWith(`app/node_modules/${name}/`),
    ]),
    // The pinned Node binaries are optional dependencies for npm scripts; the image runs its base's Node.
    ...Object.keys(PACKAGE.optionalDependencies ?? {}).map((name) => [
      `pinned Node binary ${name}`,
      (path) => path.startsWith(`app/node_modules/${name}/`) || path === 'app/node_modules/.bin/node',
    ]),
  ];
  for (const [what, matches] of forbidden) {
    const found = paths.filter(matches);
    check(`image holds no ${what}`, found.length === 0, found.slice(0, 5).join('\n'));
  }
  const notRootOwned = files.filter((file) => file.path.startsWith('app/') && file.owner !== '0/0');
  check(
    'application files are owned by root (read-only to the service user)',
    notRootOwned.length === 0,
    notRootOwned
      .slice(0, 5)
      .map((file) => `${file.owner} ${file.path}`)
      .join('\n'),
  );
  return files.filter((file) => file.path.startsWith('app/')).reduce((sum, file) => sum + file.size, 0);
}

async function main() {
  console.log('container test: the real Dockerfile, built and run under a container engine');
  // The project's line, from its one pin (package.json; security/node-line.ts keeps the image on it).
  const line = Object.values(PACKAGE.optionalDependencies)[0].split('.')[0];
  if (process.versions.node.split('.')[0] !== line) {
    console.error(
      `This test runs under Node ${line} (the image's line); this is Node ${process.versions.node}.`,
    );
    return 1;
  }
  const detected = await detectEngine();
  if (detected === undefined) {
    console.error(
      'No container engine: `docker info` and `podman info` both failed. Install Docker or podman (see docs/container.md).',
    );
    console.log('0 passed, 1 failed');
    return 1;
  }
  const engine = withChecks(detected);
  engineForCleanup = engine;
  log(`engine: ${engine.name}`);
  workDir = mkdtempSync(join(tmpdir(), 'healthcheck-ctest-'));

  let bases;
  let runtimeBase;
  if (process.env.CONTAINER_TEST_BASES === 'pinned') {
    runtimeBase = pinnedRuntimeBase();
    await engine.run(['pull', runtimeBase], { timeout: 600_000 });
    log(`bases: the Dockerfile's pinned images (${runtimeBase})`);
  } else {
    const here = await standinBasesHere(engine, log);
    if (here.missing !== undefined) {
      check('tools for the stand-in bases (a static busybox, npm)', false, here.missing);
      return 1;
    }
    bases = here.bases;
    runtimeBase = bases.runtime;
  }

  const image = `${IMAGE_REPOSITORY}:${RUN_ID}`;
  const built = await build(engine, image, BUILD_ARGS, bases);
  if (
    !check(
      'the Dockerfile builds with APP_VERSION, DESCRIPTION and LAST_COMMIT_SHA',
      built.status === 0,
      (built.stdout + built.stderr).slice(-4000),
    )
  ) {
    return 1;
  }
  const imageSize = await checkImageConfig(engine, image, BUILD_ARGS);
  const appBytes = await checkImageFiles(engine, image);
  await checkRunningService(engine, image, BUILD_ARGS);
  const baseSize = (await engine.inspect('image', runtimeBase)).Size;
  log(
    `image ${megabytes(imageSize)}, runtime base ${megabytes(baseSize)}: the project adds ${megabytes(imageSize - baseSize)} (files under /app: ${megabytes(appBytes)})`,
  );

  // `docker build --build-arg SERVICE_PORT=… -t name .` and nothing else: empty args mean unset, so the service reports what
  // the build recorded (the package version; "unknown" for the commit, as there is no .git in the
  // build context) and its default description.
  const plainImage = `${IMAGE_REPOSITORY}:${RUN_ID}-noargs`;
  const plainBuilt = await build(engine, plainImage, {}, bases);
  if (
    check(
      'the Dockerfile builds with no build args but SERVICE_PORT',
      plainBuilt.status === 0,
      (plainBuilt.stdout + plainBuilt.stderr).slice(-4000),
    )
  ) {
    const container = `healthcheck-ctest-noargs-${RUN_ID}`;
    const { url, up } = await startContainer(engine, plainImage, container);
    const body = up ? await (await fetch(url)).json().catch(() => undefined) : undefined;
    check(
      'no build args: /healthcheck reports the package version, default description, commit "unknown"',
      isDeepStrictEqual(body, {
        myapplication: [
          { version: PACKAGE.version, description: SERVICE.description, lastcommitsha: 'unknown' },
        ],
      }),
      up
        ? `got ${JSON.stringify(body)}`
        : `did not answer: ${(await engine.attempt(['logs', container])).stderr}`,
    );
  }
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  check('the container test ran to the end', false, err instanceof Error ? err.message : String(err));
} finally {
  await cleanUp();
  if (engineForCleanup && process.env.CONTAINER_TEST_KEEP_BASES === '0') {
    await removeStandinBases(engineForCleanup);
    log('removed the stand-in bases');
  } else if (engineForCleanup && process.env.CONTAINER_TEST_BASES !== 'pinned') {
    log('kept the stand-in bases for the next run (CONTAINER_TEST_KEEP_BASES=0 removes them)');
  }
}
// No closing line when nothing ran (a usage error): .ci/run then judges the step by its exit code.
const passed = tally.passed + tally.failed > 0 ? tally.summary() : false;
process.exit(passed && exitCode === 0 ? 0 : 1);
