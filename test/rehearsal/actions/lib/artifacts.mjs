// The stand-ins for actions/upload-artifact and actions/download-artifact: the artifact v4 protocol
// (twirp, github.actions.results.api.v1.ArtifactService) spoken to act's artifact server
// (nektos/act pkg/artifacts/artifacts_v4.go @ v0.2.89), with the actions' own path rules:
//   upload   actions/upload-artifact src/shared/search.ts @ bbbca2dd (v7.0.0): files found by glob,
//            directories skipped, hidden files left out unless include-hidden-files; the root is the
//            least common ancestor of the search paths, or a lone file's folder.
//   download actions/download-artifact src/download-artifact.ts @ 3e5f45b2 (v8.0.1): by `name`, into
//            `path` itself; by `pattern`, each artifact into path/<name>/, unless merge-multiple or
//            exactly one artifact matched (then into `path`).
// Runs on the stand-in tooling's Node (REHEARSAL_NODE), not the job's.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, matchesGlob, relative, resolve, sep } from 'node:path';

const SERVICE = 'twirp/github.actions.results.api.v1.ArtifactService';
const input = (name, fallback = '') =>
  process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] || fallback;
const log = (message) => console.log(message);
const fail = (message) => {
  console.log(`::error::${message}`);
  process.exit(1);
};

// The run and job ids the service wants come from the runtime token's scope, as @actions/artifact reads
// them (its getBackendIdsFromToken): "Actions.Results:<run>:<job>".
function backendIds() {
  const token = process.env.ACTIONS_RUNTIME_TOKEN ?? '';
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}');
  const scope = String(payload.scp ?? '')
    .split(' ')
    .find((entry) => entry.startsWith('Actions.Results:'));
  if (!scope) fail('stand-in artifact client: the runtime token carries no Actions.Results scope');
  const [, run, job] = scope.split(':');
  return { workflowRunBackendId: run, workflowJobRunBackendId: job };
}

async function call(method, body) {
  const base = process.env.ACTIONS_RESULTS_URL;
  if (!base)
    fail('stand-in artifact client: ACTIONS_RESULTS_URL is not set (start act with --artifact-server-path)');
  const response = await fetch(new URL(`${SERVICE}/${method}`, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) fail(`artifact service ${method}: HTTP ${response.status}`);
  return response.json();
}

// The search path of a pattern: the path up to its first segment with a wildcard (@actions/glob).
function searchPath(pattern) {
  const segments = pattern.split('/');
  const index = segments.findIndex((segment) => /[*?[{]/.test(segment));
  return index === -1 ? pattern : segments.slice(0, index).join('/') || '/';
}

function lca(paths) {
  const split = paths.map((path) => path.split(sep));
  const first = split[0];
  let length = 0;
  while (length < first.length && split.every((parts) => parts[length] === first[length])) length += 1;
  return first.slice(0, length).join(sep) || sep;
}

export async function upload() {
  const name = input('name', 'artifact');
  const ifNoFiles = input('if-no-files-found', 'warn');
  const hidden = input('include-hidden-files', 'false') === 'true';
  const level = input('compression-level', '6');
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const patterns = input('path')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('!'))
    .map((line) => (isAbsolute(line) ? line : resolve(workspace, line)).replace(/\/+$/, ''));
  const files = new Set();
  for (const pattern of patterns) {
    const matches = /[*?[{]/.test(pattern) ? globSync(pattern) : existsSync(pattern) ? [pattern] : [];
    for (const match of matches) {
      const found = statSync(match).isDirectory() ? globSync(`${match}/**/*`) : [match];
      for (const file of found) {
        if (statSync(file).isDirectory()) continue;
        if (
          !hidden &&
          relative(searchPath(pattern), file)
            .split(sep)
            .some((part) => part.startsWith('.'))
        )
          continue;
        files.add(file);
      }
    }
  }
  const searchPaths = patterns.map(searchPath);
  if (files.size === 0) {
    const message = `No files were found with the provided path: ${input('path')}. No artifacts will be uploaded.`;
    if (ifNoFiles === 'error') fail(message);
    log(ifNoFiles === 'warn' ? `::warning::${message}` : message);
    return;
  }
  const list = [...files];
  const root =
    searchPaths.length > 1
      ? lca(searchPaths)
      : list.length === 1 && searchPaths[0] === list[0]
        ? dirname(list[0])
        : searchPaths[0];
  const work = mkdtempSync(join(tmpdir(), 'standin-upload-'));
  const zip = join(work, 'artifact.zip');
  execFileSync('zip', ['-q', '-X', `-${level}`, zip, '--', ...list.map((file) => relative(root, file))], {
    cwd: root,
  });
  const bytes = readFileSync(zip);
  rmSync(work, { recursive: true, force: true });
  const ids = backendIds();
  const created = await call('CreateArtifact', { ...ids, name, version: 4 });
  const put = await fetch(`${created.signedUploadUrl}&comp=block`, { method: 'PUT', body: bytes });
  if (!put.ok) fail(`artifact upload: HTTP ${put.status}`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const finalized = await call('FinalizeArtifact', {
    ...ids,
    name,
    size: String(bytes.length),
    hash: `sha256:${digest}`,
  });
  log(
    `stand-in upload-artifact: ${name} (${list.length} files from ${root}, ${bytes.length} bytes, id ${finalized.artifactId})`,
  );
  const outputs = process.env.GITHUB_OUTPUT;
  if (outputs)
    writeFileSync(outputs, `artifact-id=${finalized.artifactId}\nartifact-digest=${digest}\n`, { flag: 'a' });
}

export async function download() {
  const name = input('name');
  const pattern = input('pattern');
  const merge = input('merge-multiple', 'false') === 'true';
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const target = resolve(workspace, input('path', workspace).replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  const ids = backendIds();
  // With a github-token, the real action looks the run up through the REST API; here the run id selects
  // that run's folder on act's artifact server, which is where act stored its artifacts.
  const runId = input('github-token') && input('run-id') ? input('run-id') : ids.workflowRunBackendId;
  const query = { workflowRunBackendId: runId, workflowJobRunBackendId: ids.workflowJobRunBackendId };
  const listed = (await call('ListArtifacts', name ? { ...query, nameFilter: name } : query)).artifacts ?? [];
  let artifacts = listed;
  if (name) {
    artifacts = listed.filter((artifact) => artifact.name === name);
    if (artifacts.length === 0) fail(`Artifact '${name}' not found`);
  } else if (pattern) {
    // The real action matches with minimatch; artifact names have no "/", so a path glob matches alike.
    artifacts = listed.filter((artifact) => matchesGlob(artifact.name, pattern));
  }
  for (const artifact of artifacts) {
    const into = name || merge || artifacts.length === 1 ? target : join(target, artifact.name);
    const { signedUrl } = await call('GetSignedArtifactURL', { ...query, name: artifact.name });
    const response = await fetch(signedUrl);
    if (!response.ok) fail(`artifact download ${artifact.name}: HTTP ${response.status}`);
    const work = mkdtempSync(join(tmpdir(), 'standin-download-'));
    const zip = join(work, `${basename(artifact.name)}.zip`);
    writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
    mkdirSync(into, { recursive: true });
    execFileSync('unzip', ['-q', '-o', zip, '-d', into]);
    rmSync(work, { recursive: true, force: true });
    log(`stand-in download-artifact: ${artifact.name} (run ${runId}) into ${into}`);
  }
  if (artifacts.length === 0)
    log(`stand-in download-artifact: no artifact matched ${pattern || '(all)'} in run ${runId}`);
  const outputs = process.env.GITHUB_OUTPUT;
  if (outputs) writeFileSync(outputs, `download-path=${target}\n`, { flag: 'a' });
}

const command = process.argv[2];
if (command === 'upload') await upload();
else if (command === 'download') await download();
else fail(`artifacts.mjs: unknown command ${command}`);
