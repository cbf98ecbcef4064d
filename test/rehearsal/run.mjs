// `npm run rehearse`: nektos/act runs the real workflows on this machine, offline, as GitHub would for
// a push to main, then the deploy workflows as the workflow_run that follows, then a push of tag v1.2.3
// and a manual deploy of the image that tag published. docs/rehearsal.md says what runs for real, what is
// stood in and why, and what only a GitHub run can show.
//
//   npm run rehearse                       the rehearsal of this checkout (HEAD plus uncommitted changes)
//   npm run rehearse -- --plant NAME       the same with one known defect put back (test/rehearsal/plants.mjs)
//   npm run rehearse -- --only main        only the main push and its deploys (also: tag)
//   npm run rehearse -- --prove-plants     each plant in turn, each run must fail for its planted reason
//                                          (test/rehearsal/prove-plants.mjs; with --plant, only those)
//   REHEARSAL_KEEP=1                       keep the work folder (logs, registry, artifacts) for reading
//   REHEARSAL_RESULT=FILE                  write every check and every failed step there, as JSON
//
// Ends with one line "N passed, N failed" over the checks below; exit 0 only when none failed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import { detectEngine } from '../../security/gates/engine.ts';
import { reportsVersion, toolPin, toolsDir } from '../../security/gates/tools.ts';
import { ensureStandinBases, withChecks } from '../../security/gates/standin-bases.mjs';
import { buildOsvDb } from '../scanners/osv-db/make-osv-db.mjs';
import { createTally } from '../support/tally.mjs';
import { makeTlsMaterial } from '../support/tls.ts';
import { applyEdits, applyJobResults, editsFor } from './edits.mjs';
import { PLANTS } from './plants.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACTIONS = join(ROOT, 'test/rehearsal/actions');
const OWNER = 'acme';
const REPOSITORY = `${OWNER}/healthcheck-service`;
const REGISTRY_USER = 'rehearsal';
const REGISTRY_PASSWORD = `rehearsal-${process.pid}`;
const TAG = 'v1.2.3';
// The pinned versions of the real tools the rehearsal runs (the workflows' pins).
// The tools whose version the rehearsal depends on, at security/tools.json's pins (read there, never here).
const PINNED_TOOLS = ['act', 'cosign', 'trivy'];

const { values: options } = parseArgs({
  options: {
    plant: { type: 'string', multiple: true, default: [] },
    only: { type: 'string' },
    'prove-plants': { type: 'boolean', default: false },
  },
});

// ---- checks and their tally -------------------------------------------------------------------------
const tally = createTally();
const { log: say } = tally;
// Every check by name, and every step act reported failed ("<run>: <job>: <step>"): what
// REHEARSAL_RESULT receives, from which prove-plants.mjs tells a plant's failure from any other.
const result = { checks: [], failedSteps: [] };
const check = (name, ok, detail) => {
  result.checks.push({ name, ok: Boolean(ok) });
  return tally.check(name, ok, detail);
};
const finish = (code) => {
  const passed = tally.summary();
  process.exitCode = code ?? (passed ? 0 : 1);
  if (process.env.REHEARSAL_RESULT) writeFileSync(process.env.REHEARSAL_RESULT, JSON.stringify(result));
};

// ---- tools ------------------------------------------------------------------------------------------
// Where the real tools are: PATH first, then the shared tool folder scripts/ci/install-tools.sh fills.
const TOOL_DIRS = [
  ...(process.env.PATH ?? '').split(delimiter),
  join(toolsDir(), 'bin'),
  join(process.env.HOME ?? '/root', 'go/bin'),
].filter(Boolean);
function findTool(name) {
  const override = process.env[`REHEARSAL_${name.toUpperCase().replace(/-/g, '_')}`];
  if (override) return existsSync(override) ? override : undefined;
  for (const dir of TOOL_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}
const run = (file, args, opts = {}) => execFileSync(file, args, { encoding: 'utf8', ...opts });

// ---- the rehearsal's repository ----------------------------------------------------------------------
// A clone of this checkout (its uncommitted changes included), with the rehearsal's edits to the
// workflow copies (edits.mjs: each logged with its reason) and any planted defect, committed on main.
async function makeRepository(work, plants, registryHost, cosign) {
  const repo = join(work, 'repo');
  run('git', ['clone', '-q', '--no-hardlinks', ROOT, repo]);
  const changed = run('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=all', '-z'])
    .split('\0')
    .filter(Boolean);
  for (const entry of changed) {
    const file = entry.slice(3);
    const from = join(ROOT, file);
    if (existsSync(from)) cpSync(from, join(repo, file), { recursive: true });
    else rmSync(join(repo, file), { force: true, recursive: true });
  }
  const git = (...args) =>
    run('git', [
      '-C',
      repo,
      '-c',
      'user.email=rehearsal@example.invalid',
      '-c',
      'user.name=rehearsal',
      ...args,
    ]);
  git('checkout', '-q', '-B', 'main');
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', 'The checkout under rehearsal');
  for (const plant of plants) {
    say(`planting: ${plant.name} (${plant.description})`);
    plant.apply(repo);
  }
  // A planted file is formatted as `npm run format` would before a commit: the plant is its defect, not
  // a formatting error the lint job would stop on first.
  for (const file of git('diff', '--name-only').split('\n').filter(Boolean)) {
    const path = join(repo, file);
    const config = await prettier.resolveConfig(path);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, await prettier.format(text, { ...config, filepath: path }));
    say(`planted file formatted with prettier: ${file}`);
  }
  // The tree as a user commits it (plants included), before the edits below: the zizmor and actionlint
  // jobs lint this copy, since the edits put the rehearsal's own shell into the workflow copies.
  const committed = join(work, 'committed');
  cpSync(repo, committed, {
    recursive: true,
    filter: (from) => !from.startsWith(join(repo, '.git') + '/') && from !== join(repo, '.git'),
  });
  // actionlint finds the project (and .github/actionlint.yaml) by its .git: a repository of its own.
  run('git', ['init', '-q', committed]);
  for (const edit of applyEdits(repo, editsFor(registryHost, { cosign }))) say(`rehearsal edit: ${edit}`);
  say(`rehearsal edit: ${await applyJobResults(repo)}`);
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', 'Rehearsal: workflow copies for act (test/rehearsal/edits.mjs)');
  git('remote', 'set-url', 'origin', `https://github.com/${REPOSITORY}.git`);
  return { repo, git, sha: git('rev-parse', 'HEAD').trim(), before: git('rev-parse', 'HEAD~1').trim() };
}

// ---- the registry in place of GHCR -------------------------------------------------------------------
// Debian's docker-registry (distribution 2.8) on 127.0.0.1, with an htpasswd user: like a new GHCR
// package (private), it answers 401 to anyone who has not logged in.
async function startRegistry(work, registryBinary) {
  const dir = join(work, 'registry');
  mkdirSync(dir);
  const hash = run('python3', [
    '-W',
    'ignore',
    '-c',
    'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))',
    REGISTRY_PASSWORD,
  ]).trim();
  writeFileSync(join(dir, 'htpasswd'), `${REGISTRY_USER}:${hash}\n`);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      `auth: { htpasswd: { realm: rehearsal, path: ${join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  const child = spawn(registryBinary, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const host = `127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const status = await fetch(`http://${host}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) return { host, child, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`docker-registry did not answer on ${host}: ${stderr.slice(-2000)}`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createHttpServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

// ---- the deploy targets' health endpoints ------------------------------------------------------------
// What Cloud Run (HTTPS) and Beanstalk (HTTP) would serve once the image runs: /healthcheck with the
// commit. The deploy scripts' smoke test (deploy/smoke-test.sh, real curl) calls them.
async function startHealthServers(work, commit) {
  const body = JSON.stringify({
    myapplication: [{ version: '1.0.0', description: 'rehearsal', lastcommitsha: commit }],
  });
  const handler = (req, res) => {
    if (req.url !== '/healthcheck') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
  const tls = makeTlsMaterial(work);
  const https = createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  const http = createHttpServer(handler);
  await Promise.all([https, http].map((server) => new Promise((r) => server.listen(0, '127.0.0.1', r))));
  return {
    cloudRunUrl: `https://127.0.0.1:${https.address().port}`,
    beanstalkCname: `127.0.0.1:${http.address().port}`,
    caBundle: tls.certFile,
    close: () => [https, http].forEach((server) => server.close()),
  };
}

// ---- act --------------------------------------------------------------------------------------------
// The third-party actions the workflows pin, each redirected to its stand-in (actions/*/action.yml
// cites the source it follows). A `uses:` not in this list fails the run: act would try GitHub.
const STAND_INS = {
  'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1': 'checkout',
  'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020': 'setup-node',
  'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f': 'upload-artifact',
  'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c': 'download-artifact',
  'actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32': 'attest-build-provenance',
  'step-security/harden-runner@b09bb98e06d4d774595224525879c09bc6e98c40': 'harden-runner',
  'aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25': 'trivy-action',
  'docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121': 'login-action',
  'docker/metadata-action@dc802804100637a589fabce1cb79ff13a1411302': 'metadata-action',
  'docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e': 'setup-buildx-action',
  'docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a': 'build-push-action',
  'github/codeql-action@8aad20d150bbac5944a9f9d289da16a4b0d87c1e': 'codeql-action',
  'sigstore/cosign-installer@6f9f17788090df1f26f669e9d70d6ae9567deba6': 'cosign-installer',
  'zaproxy/action-baseline@de8ad967d3548d44ef623df22cf95c3b0baf8b25': 'zap-baseline',
  'google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093': 'gcp-auth',
  'google-github-actions/setup-gcloud@aa5489c8933f4cc7a4f7d45035b3b1440c9c10db': 'setup-gcloud',
  'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c': 'aws-credentials',
  'actions/dependency-review-action@2031cfc080254a8a887f58cffee85186f0e49e48': 'dependency-review',
};

function actArgs(context, { event, workflow, eventFile, runId, extraPath = [] }) {
  const args = [
    event,
    '-W',
    workflow,
    '-e',
    eventFile,
    '-P',
    'ubuntu-24.04=-self-hosted',
    '--no-skip-checkout',
    '--bind',
    '--concurrent-jobs',
    process.env.REHEARSAL_JOBS ?? '2',
    '--no-cache-server',
    '--action-offline-mode',
    '--json',
    '--artifact-server-path',
    context.artifacts,
    '--artifact-server-addr',
    '127.0.0.1',
    '--artifact-server-port',
    String(context.artifactPort),
    '--defaultbranch',
    'main',
    // The registry's user and password are the run's actor and GITHUB_TOKEN, as GHCR takes them.
    '--actor',
    REGISTRY_USER,
    '--secret',
    `GITHUB_TOKEN=${REGISTRY_PASSWORD}`,
    '--env',
    `GITHUB_RUN_ID=${runId}`,
    '--env',
    `GITHUB_RUN_NUMBER=${runId}`,
  ];
  for (const [use, dir] of Object.entries(STAND_INS))
    args.push('--local-repository', `${use}=${join(ACTIONS, dir)}`);
  for (const [name, value] of Object.entries(context.vars)) args.push('--var', `${name}=${value}`);
  return { args, extraPath };
}

// One act run with its own HOME (a job on GitHub starts with no docker login and no ~/.npm of its own;
// here each workflow run gets a fresh HOME, npm's cache excepted). Returns each job's result.
async function act(context, name, spec) {
  const { args, extraPath } = actArgs(context, spec);
  const home = join(context.work, `home-${name}`);
  mkdirSync(join(home, '.config/containers'), { recursive: true });
  // skopeo needs plain HTTP allowed for the registry in $HOME's registries.conf (pitfalls.md).
  writeFileSync(
    join(home, '.config/containers/registries.conf'),
    `[[registry]]\nlocation = "${context.registry}"\ninsecure = true\n`,
  );
  const log = join(context.logs, `${name}.jsonl`);
  const env = {
    ...context.env,
    HOME: home,
    // test/rehearsal/bin: the stand-in gcloud, aws and gh, in place of the runner's own CLIs.
    PATH: [...extraPath, join(ROOT, 'test/rehearsal/bin'), ...context.path].join(delimiter),
  };
  const started = Date.now();
  const child = spawn(context.tools.act, args, { cwd: context.repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  const onData = (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      printActLine(line);
    }
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const [status] = await once(child, 'close');
  writeFileSync(log, lines.join('\n'));
  const jobs = {};
  for (const line of lines) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.jobResult) jobs[entry.jobID ?? entry.job] = entry.jobResult;
    if (entry.stepResult === 'failure')
      result.failedSteps.push(`${name}: ${entry.jobID ?? entry.job}: ${entry.step}`);
  }
  const seconds = (Date.now() - started) / 1000;
  say(`act ${name}: exit ${status} in ${seconds.toFixed(0)} s; jobs: ${JSON.stringify(jobs)}`);
  context.timings.push([name, seconds]);
  return { status, jobs, lines };
}

// act's JSON log, cut down to what a reader needs: step starts and results, the steps' own output.
function printActLine(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    if (line.trim()) console.log(`    ${line}`);
    return;
  }
  const job = entry.jobID ?? entry.job ?? '';
  if (entry.raw_output) console.log(`    [${job}] ${String(entry.msg).trimEnd()}`);
  else if (entry.stepResult)
    console.log(
      `  [${job}] ${entry.stepResult === 'success' ? '✓' : entry.stepResult === 'skipped' ? '–' : '✗'} ${entry.step ?? ''} (${entry.stepResult})`,
    );
  else if (entry.jobResult) console.log(`  [${job}] job ${entry.jobResult}`);
  else if (entry.level === 'error' || entry.level === 'warning')
    console.log(`  [${job}] ${entry.level}: ${entry.msg}`);
}

function writeEvent(context, name, event) {
  const file = join(context.work, `event-${name}.json`);
  writeFileSync(file, JSON.stringify(event, null, 2));
  return file;
}

const repositoryPayload = () => ({
  full_name: REPOSITORY,
  name: REPOSITORY.split('/')[1],
  owner: { login: OWNER, type: 'Organization' },
  default_branch: 'main',
  private: false,
  visibility: 'public',
});

// What every push event of the rehearsal carries, whatever the ref: the commit pushed, by whom, where.
const pushPayload = (sha) => ({
  after: sha,
  deleted: false,
  repository: repositoryPayload(),
  pusher: { name: 'rehearsal' },
  sender: { login: 'rehearsal' },
  head_commit: { id: sha },
});

// ---- what the registry holds -------------------------------------------------------------------------
function registryTags(context, path) {
  const result = spawnSync(
    context.tools.skopeo,
    [
      'list-tags',
      '--tls-verify=false',
      '--creds',
      `${REGISTRY_USER}:${REGISTRY_PASSWORD}`,
      `docker://${context.registry}/${path}`,
    ],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? JSON.parse(result.stdout).Tags : [];
}

function cosignVerify(context, args) {
  return spawnSync(
    context.tools.cosign,
    [...args, '--key', context.cosignPublicKey, '--insecure-ignore-tlog=true'],
    {
      encoding: 'utf8',
      env: { ...context.env, HOME: context.verifyHome, PATH: context.path.join(delimiter) },
    },
  );
}

// ---- the rehearsal ----------------------------------------------------------------------------------
async function main() {
  if (options['prove-plants']) {
    const { provePlants } = await import('./prove-plants.mjs');
    return finish(await provePlants({ tally, check, names: options.plant }));
  }
  const plants = options.plant.map((name) => {
    const plant = PLANTS.find((candidate) => candidate.name === name);
    if (!plant) throw new Error(`unknown plant ${name}; known: ${PLANTS.map((p) => p.name).join(', ')}`);
    return plant;
  });
  console.log(
    `rehearsal: act runs the workflows offline${plants.length ? ` with ${plants.map((p) => p.name).join(', ')} planted` : ''}`,
  );
  if (process.versions.node.split('.')[0] !== '24') {
    console.error(
      `the rehearsal runs on the pinned Node 24 (npm run rehearse); this is ${process.versions.node}`,
    );
    return finish(1);
  }

  const tools = Object.fromEntries(
    [
      'act',
      'cosign',
      'trivy',
      'checkov',
      'hadolint',
      'osv-scanner',
      'skopeo',
      'docker-registry',
      'podman',
      'jq',
      'zip',
      'unzip',
      'git',
      'curl',
      'openssl',
      'python3',
    ].map((name) => [name, findTool(name)]),
  );
  const missing = Object.entries(tools)
    .filter(([, path]) => !path)
    .map(([name]) => name);
  if (
    !check(
      'the real tools are installed (act, cosign, trivy, skopeo, docker-registry, podman, …)',
      missing.length === 0,
      `missing: ${missing.join(', ')}. Install: scripts/ci/install-tools.sh act cosign trivy; apt-get install skopeo docker-registry podman`,
    )
  )
    return finish(1);
  const versions = Object.fromEntries(
    PINNED_TOOLS.map((name) => {
      const pin = toolPin(ROOT, name);
      const result = spawnSync(tools[name], pin?.versionArgs ?? ['--version'], { encoding: 'utf8' });
      const output = `${result.stdout}${result.stderr}`;
      return [
        name,
        {
          pinned: pin?.version,
          ok: pin !== undefined && reportsVersion(output, pin.version),
          says: output.trim().split('\n')[0],
        },
      ];
    }),
  );
  check(
    `the tools are at security/tools.json's pins (${PINNED_TOOLS.map((name) => `${name} ${versions[name].pinned}`).join(', ')})`,
    Object.values(versions).every(({ ok }) => ok),
    JSON.stringify(versions),
  );

  const work = mkdtempSync(join(tmpdir(), 'rehearsal-'));
  const keep = process.env.REHEARSAL_KEEP === '1';
  say(`work folder: ${work}${keep ? ' (kept)' : ''}`);
  const cleanups = [];
  try {
    const registry = await startRegistry(work, tools['docker-registry']);
    cleanups.push(registry.stop);
    const { repo, sha, before, git } = await makeRepository(work, plants, registry.host, tools.cosign);
    say(`registry in place of ghcr.io: http://${registry.host} (htpasswd; anonymous requests get 401)`);
    const health = await startHealthServers(work, sha);
    cleanups.push(health.close);

    // The rehearsal's signing key: keyless signing needs GitHub's OIDC token (see lib/cosign-bin/cosign).
    const keys = join(work, 'keys');
    mkdirSync(keys);
    run(tools.cosign, ['generate-key-pair', '--output-key-prefix', join(keys, 'rehearsal')], {
      env: { ...process.env, COSIGN_PASSWORD: '' },
      stdio: 'ignore',
    });
    run(tools.cosign, ['signing-config', 'create', '--out', join(keys, 'signing-config.json')], {
      stdio: 'ignore',
    });

    const engine = await detectEngine();
    if (
      !check('podman answers (it builds the image where the workflow uses buildx)', engine?.name === 'podman')
    )
      return finish(1);
    const bases = await ensureStandinBases(withChecks(engine), {
      nodeBinary: process.execPath,
      npmDirectory: npmDirectory(),
      busybox: '/bin/busybox',
      log: say,
    });

    const logs = join(work, 'logs');
    mkdirSync(logs);
    const artifacts = join(work, 'artifacts');
    const findings = join(work, 'findings.txt');
    writeFileSync(findings, '');
    const cloudRecord = join(work, 'cloud', 'calls.txt');
    mkdirSync(dirname(cloudRecord));
    const context = {
      work,
      repo,
      logs,
      artifacts,
      tools,
      timings: [],
      artifactPort: await freePort(),
      registry: registry.host,
      cosignPublicKey: join(keys, 'rehearsal.pub'),
      verifyHome: join(work, 'home-verify'),
      path: [
        dirname(process.execPath),
        ...(process.env.PATH ?? '').split(delimiter),
        ...new Set(Object.values(tools).map((tool) => dirname(tool))),
      ],
      vars: {
        GCP_WORKLOAD_IDENTITY_PROVIDER:
          'projects/123/locations/global/workloadIdentityPools/github/providers/github',
        GCP_SERVICE_ACCOUNT: 'deployer@rehearsal-project.iam.gserviceaccount.com',
        GCP_PROJECT_ID: 'rehearsal-project',
        CLOUDRUN_REGION: 'europe-west1',
        CLOUDRUN_SERVICE: 'healthcheck',
        // No ARTIFACT_REGISTRY_REPOSITORY: its remote repository fronts ghcr.io, and here the image is on the
        // local registry; cloudrun.sh then deploys the image reference itself.
        CLOUDRUN_PUBLIC: 'false',
        AWS_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/deployer',
        AWS_REGION: 'eu-west-1',
        EB_APPLICATION: 'healthcheck',
        EB_ENVIRONMENT: 'healthcheck-production',
        EB_BUCKET: 'rehearsal-bucket',
        // Binary Authorization set up: publish attests each pushed digest (deploy/binauthz-attest.sh)
        // and the stand-in gcloud admits only attested digests to Cloud Run.
        GCP_ATTESTER_IDENTITY_PROVIDER:
          'projects/123/locations/global/workloadIdentityPools/github/providers/github-attest',
        GCP_ATTESTER_SERVICE_ACCOUNT: 'attester@rehearsal-project.iam.gserviceaccount.com',
        BINAUTHZ_ATTESTOR: 'projects/rehearsal-project/attestors/gates-passed',
        BINAUTHZ_KEYVERSION:
          'projects/rehearsal-project/locations/global/keyRings/binauthz/cryptoKeys/gates-passed/cryptoKeyVersions/1',
      },
      env: {
        ...process.env,
        REHEARSAL_NODE: process.execPath,
        REHEARSAL_PINNED_NODE: process.execPath,
        REHEARSAL_ACTIONS: ACTIONS,
        REHEARSAL_REPO: repo,
        REHEARSAL_HARNESS_ROOT: ROOT,
        REHEARSAL_COSIGN: tools.cosign,
        REHEARSAL_COSIGN_KEY: join(keys, 'rehearsal.key'),
        REHEARSAL_COSIGN_PUB: join(keys, 'rehearsal.pub'),
        REHEARSAL_SIGNING_CONFIG: join(keys, 'signing-config.json'),
        REHEARSAL_COSIGN_LOG: join(work, 'cosign-calls.txt'),
        REHEARSAL_GHCR: registry.host,
        REHEARSAL_TRIVY: tools.trivy,
        REHEARSAL_CHECKOV: tools.checkov,
        // The planted OSV database (test/scanners/osv-db): the OSV API cannot be reached here.
        REHEARSAL_OSV_DB: buildOsvDb(join(work, 'osv-db')),
        // The workflows as committed, before the rehearsal's edits (makeRepository): what the linters read.
        REHEARSAL_COMMITTED: join(work, 'committed'),
        REHEARSAL_TRIVY_NO_DB: '1',
        REHEARSAL_FINDINGS: findings,
        REHEARSAL_OUTAGES: join(work, 'outages.txt'),
        REHEARSAL_BASE_BUILDER: bases.builder,
        REHEARSAL_BASE_RUNTIME: bases.runtime,
        REHEARSAL_CLOUD_RECORD: cloudRecord,
        REHEARSAL_BINAUTHZ_STORE: join(dirname(cloudRecord), 'binauthz-attestations.txt'),
        REHEARSAL_CLOUDRUN_URL: health.cloudRunUrl,
        REHEARSAL_BEANSTALK_CNAME: health.beanstalkCname,
        CURL_CA_BUNDLE: health.caBundle,
        COSIGN_PASSWORD: '',
        npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? '/root', '.npm'),
        CI: 'true',
      },
    };
    mkdirSync(join(context.verifyHome, '.docker'), { recursive: true });
    writeFileSync(
      join(context.verifyHome, '.docker/config.json'),
      JSON.stringify({
        auths: {
          [registry.host]: { auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64') },
        },
      }),
    );
    const image = `${registry.host}/${REPOSITORY}`;

    const runs = (options.only ?? 'main,tag').split(',');
    if (runs.includes('main')) await rehearseMain(context, { sha, before, image, cloudRecord, findings });
    if (runs.includes('tag')) {
      git('tag', TAG);
      await rehearseTag(context, { sha, before, image, findings });
    }
    const total = context.timings.reduce((sum, [, seconds]) => sum + seconds, 0);
    say(
      `act wall time: ${context.timings.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(', ')}; total ${total.toFixed(0)} s`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  return finish();
}

function npmDirectory() {
  const fromExecPath = process.env.npm_execpath
    ? resolve(dirname(process.env.npm_execpath), '..')
    : undefined;
  return [fromExecPath, '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm'].find(
    (dir) =>
      dir &&
      existsSync(join(dir, 'package.json')) &&
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'npm',
  );
}

// The push to main: gates, SBOM, publish; then both deploy workflows as the workflow_run that follows.
async function rehearseMain(context, { sha, before, image, cloudRecord, findings }) {
  console.log(`\n== push to main (${sha.slice(0, 12)})`);
  const runId = 101;
  const eventFile = writeEvent(context, 'push-main', {
    ...pushPayload(sha),
    ref: 'refs/heads/main',
    before,
    created: false,
    forced: false,
  });
  const result = await act(context, 'push-main', {
    event: 'push',
    workflow: '.github/workflows/pipeline.yml',
    eventFile,
    runId,
  });
  checkPipeline(context, result, { ref: 'main', image, sha, runId, findings });
  checkFindings(findings, 'push-main');
  checkOutages(context);
  checkDocs(context, result, runId);

  for (const [workflow, target] of [
    ['deploy-cloudrun', 'Cloud Run'],
    ['deploy-beanstalk', 'Elastic Beanstalk'],
  ]) {
    console.log(`\n== ${workflow}: the workflow_run after the main push`);
    const deployEvent = writeEvent(context, workflow, {
      action: 'completed',
      workflow_run: {
        id: runId,
        name: 'pipeline',
        conclusion: 'success',
        event: 'push',
        head_branch: 'main',
        head_sha: sha,
        head_repository: { full_name: REPOSITORY },
      },
      repository: repositoryPayload(),
      sender: { login: 'rehearsal' },
    });
    writeFileSync(cloudRecord, '');
    const deployed = await act(context, workflow, {
      event: 'workflow_run',
      workflow: `.github/workflows/${workflow}.yml`,
      eventFile: deployEvent,
      runId: runId + (workflow === 'deploy-cloudrun' ? 100 : 101),
    });
    check(
      `${workflow}: the deploy job succeeds (signature and gate results verified from the registry, deployed, smoke-tested)`,
      deployed.status === 0 && deployed.jobs.deploy === 'success',
      actFailure(deployed),
    );
    // Beanstalk gets the image inside the bundle's Dockerrun.aws.json (the stand-in aws keeps the upload).
    const bundle = join(dirname(cloudRecord), 'bundle.zip');
    const calls =
      readFileSync(cloudRecord, 'utf8') +
      (workflow === 'deploy-beanstalk' && existsSync(bundle)
        ? run('unzip', ['-p', bundle, 'Dockerrun.aws.json'])
        : '');
    checkIdentities(context, workflow);
    const byDigest = calls
      .split(`${image}@sha256:`)
      .slice(1)
      .some((rest) => /^[0-9a-f]{64}/.test(rest));
    check(
      `${workflow}: ${target} was given the image by digest`,
      byDigest,
      calls.split('\n').slice(0, 6).join('\n'),
    );
    if (workflow === 'deploy-cloudrun') {
      const store = context.env.REHEARSAL_BINAUTHZ_STORE;
      const attested = existsSync(store) ? readFileSync(store, 'utf8').split('\n').filter(Boolean) : [];
      check(
        'deploy-cloudrun: Cloud Run was asked for Binary Authorization and given a digest publish attested',
        calls.includes('\x1f--binary-authorization=default') &&
          attested.some((reference) => reference.startsWith(`${image}@sha256:`)),
        `attested: ${attested.join(', ') || 'nothing'}`,
      );
    }
  }
}

// The push of a v* tag: the same pipeline, plus the signed release assets and the release job; then a
// manual deploy of the image that tag published (deploys follow main only; a release is rolled out by hand).
async function rehearseTag(context, { image, findings }) {
  const sha = run('git', ['-C', context.repo, 'rev-parse', `${TAG}^{commit}`]).trim();
  console.log(`\n== push of tag ${TAG} (${sha.slice(0, 12)})`);
  const runId = 102;
  const eventFile = writeEvent(context, 'push-tag', {
    ...pushPayload(sha),
    ref: `refs/tags/${TAG}`,
    ref_type: 'tag',
    before: '0'.repeat(40),
    created: true,
    base_ref: null,
  });
  writeFileSync(findings, '');
  writeFileSync(context.env.REHEARSAL_CLOUD_RECORD, '');
  const result = await act(context, 'push-tag', {
    event: 'push',
    workflow: '.github/workflows/pipeline.yml',
    eventFile,
    runId,
  });
  const published = checkPipeline(context, result, { ref: TAG, image, sha, runId, findings });
  checkFindings(findings, 'push-tag');
  const assets = readArtifact(context, runId, 'release-assets');
  check(
    `${TAG}: the release assets are the SBOM, the provenance and a Sigstore bundle for each`,
    [
      'sbom.cdx.json',
      'sbom.cdx.json.sigstore.json',
      'provenance.intoto.jsonl',
      'provenance.intoto.jsonl.sigstore.json',
    ].every((name) => assets.includes(name)),
    `release-assets holds: ${assets.join(', ') || '(no such artifact)'}`,
  );
  const release = readFileSync(context.env.REHEARSAL_CLOUD_RECORD, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('gh\x1frelease\x1fcreate'));
  check(
    `${TAG}: the release job succeeded, \`gh release create\` given the four assets`,
    result.jobs.release === 'success' &&
      (release ?? '').split('\x1f').filter((arg) => arg.includes('/release-assets/')).length === 4,
    `release: ${result.jobs.release ?? 'not run'}; ${release ? release.split('\x1f').join(' ') : 'gh not called'}`,
  );

  if (!published) return;
  console.log(`\n== deploy-cloudrun: a manual deploy of ${TAG}'s image`);
  const dispatch = writeEvent(context, 'dispatch', {
    inputs: { 'image-digest': published, 'commit-sha': sha, 'release-ref': `refs/tags/${TAG}` },
    ref: 'refs/heads/main',
    repository: repositoryPayload(),
    sender: { login: 'rehearsal' },
  });
  const deployed = await act(context, 'deploy-tag', {
    event: 'workflow_dispatch',
    workflow: '.github/workflows/deploy-cloudrun.yml',
    eventFile: dispatch,
    runId: 203,
  });
  check(
    `deploy-cloudrun (workflow_dispatch): ${TAG}'s image deploys`,
    deployed.status === 0 && deployed.jobs.deploy === 'success',
    actFailure(deployed),
  );
}

function actFailure(result) {
  const failed = [];
  for (const line of result.lines) {
    try {
      const entry = JSON.parse(line);
      if (entry.stepResult === 'failure')
        failed.push(`${entry.jobID ?? entry.job}: step "${entry.step}" failed`);
    } catch {
      // not JSON
    }
  }
  return `exit ${result.status}; ${failed.join('; ') || 'no failed step reported'}; jobs ${JSON.stringify(result.jobs)}`;
}

// A scanner that could not run here must have said so as an outage (the real gate's message), never passed.
function checkOutages(context) {
  const file = context.env.REHEARSAL_OUTAGES;
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) say(`outage reported by a real gate (then stood in): ${line}`);
  check(
    'every scanner that could not run here was reported by its gate as an outage, not a finding or a pass',
    lines.every((line) => /^\S+ outage=.+/.test(line)),
    lines.join('\n'),
  );
}

// docs/pipeline.md against what ran: each gate job that ran is a required status check there, and the
// Checkov version its contract rows cite is the one that ran.
function checkDocs(context, result, runId) {
  const docs = readFileSync(join(context.repo, 'docs/pipeline.md'), 'utf8');
  const gates = parseYaml(readFileSync(join(context.repo, '.github/workflows/security-gates.yml'), 'utf8'));
  // The list `npm run generate` writes from the gates catalog, between its markers.
  const listed = /<!-- required-checks:start -->([\s\S]*?)<!-- required-checks:end -->/.exec(docs)?.[1] ?? '';
  const missing = Object.entries(gates.jobs)
    .filter(([id]) => result.jobs[id] !== undefined)
    .map(([, job]) => `Gates / ${job.name}`)
    .filter((check) => !listed.includes(`\`${check}\``));
  check(
    "docs/pipeline.md's required status checks name every gate job that ran",
    missing.length === 0,
    `missing: ${missing.join('; ')}`,
  );
  const zip = join(context.artifacts, String(runId), 'gate-report-checkov', 'gate-report-checkov.zip');
  const ran = existsSync(zip)
    ? JSON.parse(run('unzip', ['-p', zip])).runs?.[0]?.tool?.driver?.version
    : undefined;
  const cited = [...docs.matchAll(/^\| Checkov (\d+\.\d+\.\d+)/gm)].map((match) => match[1]);
  check(
    `docs/pipeline.md's contract rows cite the Checkov that ran (${ran ?? 'none ran'})`,
    ran !== undefined && cited.length > 0 && cited.every((version) => version === ran),
    `cited: ${cited.join(', ')}`,
  );
}

// What the deploy scripts asked cosign to verify (lib/cosign-bin/cosign records it): the keyless
// identity of this repository's pipeline on main or a v* tag, from GitHub's issuer, and nothing broader.
function checkIdentities(context, workflow) {
  const file = context.env.REHEARSAL_COSIGN_LOG;
  const recorded = (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n');
  const lines = recorded.filter((line) => line.startsWith('IDENTITY\t'));
  // The signing run's claims each verification asked for (deploy/lib.sh): this repository, a push.
  const claims = recorded.filter((line) => line.startsWith('CLAIMS\t'));
  const wanted = [
    `--certificate-github-workflow-repository=${REPOSITORY}`,
    '--certificate-github-workflow-trigger=push',
  ];
  check(
    `${workflow}: every verification asked for the claims of a push run of this repository (${claims.length})`,
    claims.length === lines.length &&
      claims.every((line) => wanted.every((claim) => line.split('\t')[2].split(' ').includes(claim))),
    claims.join('\n') || 'no claims recorded',
  );
  writeFileSync(file, '');
  const own = `https://github.com/${REPOSITORY}/.github/workflows/pipeline.yml@refs/heads/main`;
  const others = [
    `https://github.com/${OWNER}/other/.github/workflows/pipeline.yml@refs/heads/main`,
    `https://github.com/${REPOSITORY}/.github/workflows/other.yml@refs/heads/main`,
    `https://github.com/${REPOSITORY}/.github/workflows/pipeline.yml@refs/heads/feature`,
  ];
  const problems = lines.flatMap((line) => {
    const [, command, identity, issuer] = line.split('\t');
    // eslint-disable-next-line security/detect-non-literal-regexp -- the regexp deploy/lib.sh handed cosign
    const pattern = new RegExp(identity);
    return [
      ...(issuer === 'https://token.actions.githubusercontent.com' ? [] : [`${command}: issuer ${issuer}`]),
      ...(pattern.test(own) ? [] : [`${command}: ${identity} refuses this pipeline`]),
      ...others
        .filter((other) => pattern.test(other))
        .map((other) => `${command}: ${identity} accepts ${other}`),
    ];
  });
  check(
    `${workflow}: cosign was asked for this pipeline's keyless identity, and only it (${lines.length} verifications)`,
    lines.length >= 2 && problems.length === 0,
    problems.join('\n') || 'no verification recorded',
  );
}

function checkFindings(file, name) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  check(
    `${name}: the stand-ins saw nothing the real service would refuse (e.g. a cache key saved twice)`,
    lines.length === 0,
    lines.join('\n'),
  );
}

function readArtifact(context, runId, name) {
  const zip = join(context.artifacts, String(runId), name, `${name}.zip`);
  if (!existsSync(zip)) return [];
  return run('unzip', ['-Z1', zip]).split('\n').filter(Boolean);
}

// What a pipeline run must leave: every job as expected, the digest in the registry under its tags,
// signed, with the SBOM, provenance and gate-results attestations, all verifiable with the rehearsal key.
function checkPipeline(context, result, { ref, image, runId }) {
  check(`${ref}: act ran the pipeline to the end (exit 0)`, result.status === 0, actFailure(result));
  for (const job of ['sbom', 'publish', 'summary'])
    check(
      `${ref}: job ${job} succeeded`,
      result.jobs[job] === 'success',
      `${job}: ${result.jobs[job] ?? 'not run'}`,
    );
  // Never half-published silently: a publish that failed once something was pushed must say so.
  const pushed = registryTags(context, image.slice(context.registry.length + 1));
  if (result.jobs.publish === 'failure' && pushed.includes(ref === 'main' ? 'main' : ref.replace(/^v/, '')))
    check(
      `${ref}: publish failed after the push and its summary says what the registry holds and how to recover`,
      result.lines.some((line) => line.includes('published half-way')),
      `the registry holds ${pushed.join(', ')}`,
    );
  const digestFile = readArtifact(context, runId, 'image-digest');
  if (!check(`${ref}: publish uploaded the image-digest artifact`, digestFile.includes('digest.txt')))
    return undefined;
  const reference = run('unzip', [
    '-p',
    join(context.artifacts, String(runId), 'image-digest', 'image-digest.zip'),
    'digest.txt',
  ]).trim();
  check(
    `${ref}: digest.txt names the image in the registry by digest`,
    reference.startsWith(`${image}@sha256:`),
    reference,
  );
  const tags = registryTags(context, image.slice(context.registry.length + 1));
  const wanted = ref === 'main' ? ['main', `sha-`] : ['1.2.3', '1.2', 'latest'];
  check(
    `${ref}: the registry holds the tags ${wanted.join(', ')}…`,
    wanted.every((tag) => tags.some((t) => t.startsWith(tag))),
    `tags: ${tags.join(', ')}`,
  );
  const signature = cosignVerify(context, ['verify', reference]);
  check(
    `${ref}: the image's signature verifies (rehearsal key)`,
    signature.status === 0,
    signature.stderr.slice(-800),
  );
  for (const [type, label] of [
    ['cyclonedx', 'SBOM'],
    ['https://slsa.dev/verification_summary/v1', 'gate-results'],
    ['slsaprovenance1', 'provenance'],
  ]) {
    const attestation = cosignVerify(context, ['verify-attestation', '--type', type, reference]);
    check(
      `${ref}: the ${label} attestation verifies`,
      attestation.status === 0,
      attestation.stderr.slice(-800),
    );
  }
  return reference;
}

main().catch((err) => {
  console.error(err?.stack ?? String(err));
  check('the rehearsal ran without an error of its own', false, err?.message ?? String(err));
  finish(1);
});
