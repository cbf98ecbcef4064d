// Local stand-ins for the Dockerfile's two base images, for machines that cannot pull from a registry.
// Each is imported from a root filesystem laid out like the real base, from this machine's Node 24:
//   runtime: like gcr.io/distroless/nodejs24-debian12:nonroot — /nodejs/bin/node and the libraries it
//            loads, /etc/passwd with nonroot (65532), ENTRYPOINT /nodejs/bin/node; no shell, no npm.
//   builder: like node:24-bookworm-slim — node and npm in /usr/local, a static busybox shell, /usr/bin/env
//            for npm's shebang, and this machine's CA bundle (NODE_EXTRA_CA_CERTS, a test-only need: a
//            proxy on this machine re-signs the registry's certificate).
// Images are tagged by a hash of their content, so a second run reuses them.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
// The root filesystem is written with these; the rest of node:fs is below.
import { chmodSync, copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { baseImages } from '../dockerfile-policy.ts';
import { readServiceDescription, serviceBuildArgs } from './service-description.ts';

const RECIPE_VERSION = '1';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const RUNTIME_REPOSITORY = 'localhost/healthcheck-standin-runtime';
export const BUILDER_REPOSITORY = 'localhost/healthcheck-standin-builder';

const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'nonroot:x:65532:', ''].join('\n');

/** The shared libraries the dynamic loader maps for `binary`, as absolute paths (from `ldd`). */
export function sharedLibraries(binary) {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries = [];
  for (const line of out.split('\n')) {
    const resolved = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (resolved?.[1]) libraries.push(resolved[1]);
  }
  if (libraries.length === 0) throw new Error(`ldd listed no libraries for ${binary}:\n${out}`);
  return libraries;
}

function place(root, source, target = source) {
  const destination = join(root, target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(source, destination);
  chmodSync(destination, 0o755);
}

function baseLayout(root, nodeBinary) {
  for (const library of sharedLibraries(nodeBinary)) place(root, library);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), PASSWD);
  writeFileSync(join(root, 'etc/group'), GROUP);
  mkdirSync(join(root, 'home/nonroot'), { recursive: true });
  chmodSync(join(root, 'home/nonroot'), 0o700);
  mkdirSync(join(root, 'tmp'), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
}

function runtimeLayout(root, { nodeBinary }) {
  baseLayout(root, nodeBinary);
  place(root, nodeBinary, '/nodejs/bin/node');
}

function builderLayout(root, { nodeBinary, npmDirectory, busybox }) {
  baseLayout(root, nodeBinary);
  place(root, nodeBinary, '/usr/local/bin/node');
  cpSync(npmDirectory, join(root, 'usr/local/lib/node_modules/npm'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  place(root, busybox, '/bin/busybox');
  for (const applet of ['sh', 'ls', 'cat', 'rm', 'mkdir', 'cp', 'mv'])
    symlinkSync('busybox', join(root, 'bin', applet));
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync('/bin/busybox', join(root, 'usr/bin/env'));
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  copyFileSync(CA_BUNDLE, join(root, 'etc/ssl/certs/ca-certificates.crt'));
  mkdirSync(join(root, 'root'), { recursive: true });
}

function fingerprint(kind, inputs, files) {
  const hash = createHash('sha256').update(`${RECIPE_VERSION}\0${kind}\0${JSON.stringify(inputs)}\0`);
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Makes (or reuses) both stand-ins with `engine` (docker or podman), and returns their references.
 * `nodeBinary` must be a Node 24 binary; `npmDirectory` the npm package to put in the builder.
 */
export async function ensureStandinBases(engine, { nodeBinary, npmDirectory, busybox, log }) {
  const npmVersion = JSON.parse(readFileSync(join(npmDirectory, 'package.json'), 'utf8')).version;
  const libraries = sharedLibraries(nodeBinary);
  const specs = [
    {
      repository: RUNTIME_REPOSITORY,
      tag: fingerprint('runtime', { libraries }, [nodeBinary, ...libraries]),
      layout: (root) => runtimeLayout(root, { nodeBinary }),
      changes: [`ENV ${PATH_ENV}`, 'WORKDIR /home/nonroot', 'USER 65532', 'ENTRYPOINT ["/nodejs/bin/node"]'],
    },
    {
      repository: BUILDER_REPOSITORY,
      tag: fingerprint('builder', { libraries, npmVersion }, [nodeBinary, busybox, CA_BUNDLE, ...libraries]),
      layout: (root) => builderLayout(root, { nodeBinary, npmDirectory, busybox }),
      changes: [`ENV ${PATH_ENV}`, `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`, 'CMD ["node"]'],
    },
  ];
  const references = {};
  for (const spec of specs) {
    const reference = `${spec.repository}:${spec.tag}`;
    references[spec.repository === RUNTIME_REPOSITORY ? 'runtime' : 'builder'] = reference;
    if (await engine.succeeds(['image', 'inspect', reference])) {
      log(`reusing stand-in ${reference}`);
      continue;
    }
    // A stand-in made from an older Node or npm is of no further use: replace it rather than pile up.
    const stale = await tagsOf(engine, spec.repository);
    if (stale.length > 0) await engine.succeeds(['rmi', ...stale]);
    const work = mkdtempSync(join(tmpdir(), 'standin-'));
    try {
      const root = join(work, 'rootfs');
      mkdirSync(root);
      spec.layout(root);
      const tarball = join(work, 'rootfs.tar');
      execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tarball, '.']);
      await engine.run([
        'import',
        ...spec.changes.flatMap((change) => ['--change', change]),
        tarball,
        reference,
      ]);
      log(`made stand-in ${reference}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return references;
}

async function tagsOf(engine, repository) {
  return (
    await engine.output([
      'images',
      '--filter',
      `reference=${repository}`,
      '--format',
      '{{.Repository}}:{{.Tag}}',
    ])
  )
    .split('\n')
    .filter((reference) => reference.startsWith(`${repository}:`));
}

/** Removes the stand-ins (every tag of both repositories). */
export async function removeStandinBases(engine) {
  for (const repository of [RUNTIME_REPOSITORY, BUILDER_REPOSITORY]) {
    const references = await tagsOf(engine, repository);
    if (references.length > 0) await engine.succeeds(['rmi', ...references]);
  }
}

/** A statically linked busybox for the builder stand-in's shell, or undefined. */
export function findBusybox() {
  const candidate = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
  if (candidate === undefined) return undefined;
  // A dynamically linked busybox would need its own libraries in the stand-in.
  const ldd = spawnSync('ldd', [candidate], { encoding: 'utf8' });
  return `${ldd.stdout}${ldd.stderr}`.includes('not a dynamic executable') ? candidate : undefined;
}

/** The npm package folder to put in the builder stand-in, or undefined. */
export function npmDirectory() {
  // `npm run` tells its own location; otherwise Debian's npm package.
  const fromExecPath = process.env.npm_execpath
    ? resolve(dirname(process.env.npm_execpath), '..')
    : undefined;
  for (const directory of [fromExecPath, '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm']) {
    if (directory === undefined) continue;
    try {
      if (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).name === 'npm') return directory;
    } catch {
      // not an npm package folder; try the next
    }
  }
  return undefined;
}

/**
 * The build flags that put the stand-ins in place of the Dockerfile's pinned bases. The Dockerfile names
 * its bases literally (Checkov cannot read a FROM through an ARG), so the stand-ins replace them by
 * reference: a named build context whose name is the FROM's image.
 */
export function standinBuildArgs(engineName, bases, dockerfile) {
  const scheme = engineName === 'podman' ? 'container-image' : 'docker-image';
  const args = [];
  for (const [stage, standin] of [
    ['npm-base', bases.builder],
    ['runtime', bases.runtime],
  ]) {
    const reference = baseImages(dockerfile).find((base) => base.stage === stage)?.reference;
    if (reference === undefined) throw new Error(`Dockerfile: no FROM … AS ${stage} line`);
    args.push('--build-context', `${reference}=${scheme}://${standin}`);
  }
  args.push(engineName === 'podman' ? '--pull=never' : '--pull=false');
  return args;
}

/**
 * Both stand-ins made (or reused) from this machine's Node, its static busybox and its npm:
 * `{ bases }`, or `{ missing }` saying which of those this machine lacks.
 */
export async function standinBasesHere(engine, log) {
  const busybox = findBusybox();
  const npm = npmDirectory();
  if (!busybox || !npm) {
    return {
      missing: `busybox: ${busybox ?? 'missing (apt-get install busybox-static)'}, npm: ${npm ?? 'missing'}`,
    };
  }
  return {
    bases: await ensureStandinBases(engine, {
      nodeBinary: process.execPath,
      npmDirectory: npm,
      busybox,
      log,
    }),
  };
}

/**
 * The engine arguments that build the project's Dockerfile as `tag`: on the stand-ins when `bases` is
 * given, with src/service.json's build arguments and `buildArgs` over them.
 */
export function projectBuildArguments(engineName, { root, tag, bases, buildArgs }) {
  const dockerfile = join(root, 'Dockerfile');
  const args = ['build', '--network', 'host', '-f', dockerfile, '-t', tag];
  // OCI-format images drop HEALTHCHECK; podman keeps it only in the docker format. No layer cache,
  // so a test leaves no intermediate images behind.
  if (engineName === 'podman') args.push('--format', 'docker', '--layers=false');
  if (bases) args.push(...standinBuildArgs(engineName, bases, readFileSync(dockerfile, 'utf8')));
  for (const [name, value] of Object.entries({
    ...serviceBuildArgs(readServiceDescription(root)),
    ...buildArgs,
  }))
    args.push('--build-arg', `${name}=${value}`);
  return [...args, root];
}

// The engine of security/gates/engine.ts with what the container test and the rehearsal need on top: a
// call that must succeed, and `inspect` as JSON.
export function withChecks(engine) {
  const attempt = (args, options = {}) => engine.exec(args, options.timeout ?? 120_000, options.env);
  const run = async (args, options) => {
    const result = await attempt(args, options);
    if (result.status !== 0) {
      throw new Error(
        `${engine.name} ${args.join(' ')} failed (${result.status ?? result.error}):\n${result.stderr.slice(-4000)}`,
      );
    }
    return result.stdout;
  };
  return {
    name: engine.name,
    attempt,
    run,
    output: run,
    succeeds: async (args) => (await attempt(args)).status === 0,
    inspect: async (kind, reference) => JSON.parse(await run([kind, 'inspect', reference]))[0],
  };
}
