// See ../build-push-action/action.yml. Runs on the stand-in tooling's Node 24 (it imports TypeScript).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const harness = process.env.REHEARSAL_HARNESS_ROOT;
const { baseImages } = await import(join(harness, 'security/dockerfile-policy.ts'));
const { detectEngine } = await import(join(harness, 'security/gates/engine.ts'));
const fail = (message) => {
  console.log(`::error::${message}`);
  process.exit(1);
};
const env = (name) => process.env[`INPUT_${name}`] ?? '';
// `call: check` asks BuildKit to run its build checks instead of building. podman has no such checks and
// BuildKit cannot run here: the step reports an outage (never a pass) and the run goes on.
if (env('CALL') === 'check') {
  appendFileSync(
    process.env.REHEARSAL_OUTAGES,
    "build outage=BuildKit's build checks (call: check) need BuildKit; podman builds here, so they did not run\n",
  );
  console.log(
    "rehearsal stand-in: BuildKit's build checks not run (no BuildKit here), reported as an outage",
  );
  process.exit(0);
}
if (env('CALL')) fail(`build-push-action stand-in: call: ${env('CALL')} is not rehearsed`);
if (env('PUSH') === 'true')
  fail('build-push-action stand-in: push: true is not rehearsed (the pipeline pushes with skopeo)');
if (env('PROVENANCE') !== 'false' || env('SBOM') !== 'false')
  fail(
    'build-push-action stand-in: provenance and sbom must be false, or the archive holds more than one manifest',
  );
const output = /^type=oci,dest=(.+)$/.exec(env('OUTPUTS'));
if (!output) fail(`build-push-action stand-in: outputs must be type=oci,dest=<file>, got ${env('OUTPUTS')}`);
const dest = output[1];
if (env('PLATFORMS') && env('PLATFORMS') !== 'linux/amd64')
  fail(`platform ${env('PLATFORMS')} is not rehearsed`);
const workspace = process.env.GITHUB_WORKSPACE;
const context = resolve(workspace, env('CONTEXT'));
const dockerfile = resolve(context, env('FILE'));
const engine = await detectEngine();
if (!engine || engine.name !== 'podman') fail('build-push-action stand-in: needs podman');
const globalArgs = process.env.PODMAN_RUNTIME
  ? ['--runtime', process.env.PODMAN_RUNTIME]
  : existsSync('/usr/sbin/runc') || existsSync('/usr/bin/runc')
    ? ['--runtime', 'runc']
    : [];
const podman = (args, options = {}) =>
  execFileSync('podman', [...globalArgs, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    ...options,
  });

const bases = { 'npm-base': process.env.REHEARSAL_BASE_BUILDER, runtime: process.env.REHEARSAL_BASE_RUNTIME };
const args = [
  'build',
  '--network',
  'host',
  '--format',
  'oci',
  '--layers=false',
  '--pull=never',
  '-f',
  dockerfile,
];
// The stand-ins replace the pinned bases by reference, as the container test does (test/container/run.mjs):
// the builder stage's base, and the distroless base every later stage names.
const pinned = baseImages(readFileSync(dockerfile, 'utf8'));
for (const [stage, standin] of Object.entries(bases)) {
  const reference = pinned.find((base) => base.stage === stage)?.reference;
  if (!reference || !standin)
    fail(`build-push-action stand-in: no pinned base or stand-in for stage ${stage}`);
  args.push('--build-context', `${reference}=container-image://${standin}`);
}
for (const line of env('BUILD_ARGS')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean))
  args.push('--build-arg', line);
const tag = `localhost/rehearsal-build:${process.env.GITHUB_RUN_ID}-${Date.now()}`;
args.push('-t', tag, context);
console.log(
  `rehearsal stand-in: build-push-action builds with podman on stand-in bases (${Object.values(bases).join(', ')})`,
);
const started = Date.now();
podman(args, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  rmSync(dest, { force: true });
  // podman writes the archive as buildx's type=oci exporter does: index.json naming one image manifest.
  podman(['push', '--quiet', '--format', 'oci', tag, `oci-archive:${dest}`]);
} finally {
  podman(['rmi', '--force', tag]);
}
const index = JSON.parse(execFileSync('tar', ['-xOf', dest, 'index.json'], { encoding: 'utf8' }));
const digest = index.manifests[0].digest;
const manifest = JSON.parse(
  execFileSync('tar', ['-xOf', dest, `blobs/sha256/${digest.slice(7)}`], { encoding: 'utf8' }),
);
appendFileSync(process.env.GITHUB_OUTPUT, `digest=${digest}\nimageid=${manifest.config.digest}\n`);
console.log(
  `rehearsal stand-in: built ${dest}: manifest ${digest}, config ${manifest.config.digest} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
const unused = ['CACHE_FROM', 'CACHE_TO'].filter((name) => env(name));
if (unused.length) console.log(`rehearsal: ${unused.join(', ')} not rehearsed (no GitHub cache service)`);
