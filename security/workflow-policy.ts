/**
 * The repository's policy for its GitHub Actions workflows and the gate configuration they name.
 *
 * GitHub's own parser checks syntax (see `checkWorkflowSyntax`), and Checkov checks a few workflow
 * rules, but neither checks what this template promises: every action pinned to a reviewed commit,
 * least privilege per job, no untrusted expression in a shell, the image built once and published only
 * after every gate. Each rule has an id; `npm test` (test/pipeline) and the local gate runner both call
 * `checkRepository` and fail on any finding.
 *
 * Only node built-ins and `yaml` are imported, so the module also runs under Node's type stripping.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   built from its layout or named in its workflows; no request or user input reaches these calls. */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isSeq, parse, parseDocument } from 'yaml';

export interface Finding {
  rule: string;
  file: string;
  message: string;
  job?: string;
  step?: string;
}

export interface ReviewedAction {
  tag: string;
  sha: string;
  inputs: string[];
}

export interface WorkflowFile {
  /** Path relative to the repository root, e.g. `.github/workflows/pipeline.yml`. */
  path: string;
  text: string;
}

export interface PolicyOptions {
  /** Reviewed actions by `owner/repo[/path]`; read from security/actions-inputs.json by default. */
  actions?: Record<string, ReviewedAction>;
  /** "Today" for expiry checks (tests pin it). */
  now?: Date;
}

export const WORKFLOWS_DIR = '.github/workflows';
export const ACTIONS_TABLE = 'security/actions-inputs.json';

/**
 * Which job may hold which write permission. `security-events` is allowed to any job that uploads
 * SARIF and required there; every other write is forbidden unless listed. A job that calls a local
 * reusable workflow may grant exactly what the called jobs ask for.
 */
export const WRITE_PERMISSIONS: Readonly<Record<string, { jobs: RegExp; why: string }>> = {
  packages: { jobs: /^publish$/, why: 'push the image to GHCR' },
  contents: { jobs: /^release$/, why: 'create the GitHub Release of a v* tag with its signed assets' },
  attestations: { jobs: /^publish$/, why: 'store the build provenance attestation' },
  'id-token': {
    jobs: /^(publish|deploy[\w-]*)$/,
    why: 'keyless signing (publish) and OIDC cloud login (deploy)',
  },
};

/** Jobs that may build an image; every other job must use the artifact the build job uploaded. */
export const IMAGE_BUILD_JOBS: readonly string[] = ['build'];

/** `uses:` keys whose value names a file in the repository, by action. */
const CONFIG_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'github/codeql-action/init': ['config-file'],
  'aquasecurity/trivy-action': ['trivy-config', 'trivyignores'],
  'bridgecrewio/checkov-action': ['config_file'],
  'zaproxy/action-baseline': ['rules_file_name'],
  'zaproxy/action-full-scan': ['rules_file_name'],
  'actions/dependency-review-action': ['config-file'],
};

const FORK_GUARD = /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/;
const ACTION_NAME = /^[\w.-]+\/[\w./-]+$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const IMAGE_BUILD_COMMAND =
  /\b(?:docker|podman)\s+(?:image\s+build|buildx\s+(?:build|bake)|build)\b|\bbuildah\s+bud\b/;
const IMAGE_BUILD_ACTIONS = ['docker/build-push-action', 'docker/bake-action'];
const SARIF_UPLOADERS = ['github/codeql-action/upload-sarif', 'github/codeql-action/analyze'];
const DAY_MS = 86_400_000;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

/** `owner/repo[/path]` of a `uses:` value, without the ref. */
export function actionName(uses: string): string {
  return uses.split('@')[0] ?? uses;
}

function stepLabel(step: Json, index: number): string {
  return text(step.name) || text(step.uses) || `step ${index + 1}`;
}

/** The permissions a job holds, as a map scope → level ("read" | "write" | "none"). */
function permissionsOf(job: Json): Map<string, string> | 'write-all' | 'read-all' | undefined {
  const raw = job.permissions;
  if (raw === undefined) return undefined;
  if (raw === 'write-all' || raw === 'read-all') return raw;
  return new Map(Object.entries(record(raw)).map(([scope, level]) => [scope, text(level)]));
}

/** CodeQL's analyze step uploads unless told not to (`upload: never`, or the legacy `false`). */
function stepUploadsSarif(step: Json): boolean {
  const action = actionName(text(step.uses));
  if (!SARIF_UPLOADERS.includes(action)) return false;
  const upload = text(record(step.with).upload);
  return !(action === 'github/codeql-action/analyze' && (upload === 'never' || upload === 'false'));
}

function uploadsSarif(job: Json): boolean {
  return list(job.steps).some((step) => stepUploadsSarif(record(step)));
}

/**
 * The only exceptions to the rules, each for one workflow and one rule, with its reason. Anything
 * else a workflow does is held to every rule; keeping them here makes each one reviewed like code.
 */
export const WORKFLOW_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  'deploy-cloudrun.yml': {
    'dispatch-inputs':
      'a deploy or rollback by hand names the digest and commit to deploy; deploy/resolve-release.sh ' +
      'validates both before any cloud is contacted, and cosign verifies the image was signed by this pipeline',
  },
  'deploy-beanstalk.yml': {
    'dispatch-inputs':
      'a deploy or rollback by hand names the digest and commit to deploy; deploy/resolve-release.sh ' +
      'validates both before any cloud is contacted, and cosign verifies the image was signed by this pipeline',
  },
  'scorecard.yml': {
    'permissions-write':
      'ossf/scorecard-action publishes the result behind the README badge with an OIDC token (id-token: write) ' +
      'and uploads SARIF (security-events: write); test/pipeline/scorecard.test.ts pins these as the only writes',
    'sarif-fork-guard':
      'runs on push to main, schedule and branch_protection_rule only, never on a pull request, and ' +
      'scorecard.dev accepts only its listed actions in the job',
  },
  'gate-self-test.yml': {
    'build-once':
      'builds deliberately flawed throw-away variants to prove the scanners fail on them; it never ' +
      'builds, pushes or signs the service image',
  },
});

function excepted(finding: Finding): boolean {
  const name = finding.file.split('/').pop() ?? '';
  return WORKFLOW_EXCEPTIONS[name]?.[finding.rule] !== undefined;
}

/** Reads `security/actions-inputs.json`: the reviewed commit and inputs of every action. */
export function loadReviewedActions(root: string): Record<string, ReviewedAction> {
  const table = JSON.parse(readFileSync(join(root, ACTIONS_TABLE), 'utf8')) as {
    actions: Record<string, ReviewedAction>;
  };
  return table.actions;
}

/** Every workflow file under .github/workflows. */
export function readWorkflows(root: string): WorkflowFile[] {
  const dir = join(root, WORKFLOWS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: `${WORKFLOWS_DIR}/${name}`, text: readFileSync(join(dir, name), 'utf8') }));
}

/** Pins: a full commit SHA, the release in a comment, and the commit we reviewed for that action. */
function checkPins(file: WorkflowFile, actions: Record<string, ReviewedAction>): Finding[] {
  const findings: Finding[] = [];
  file.text.split('\n').forEach((line, index) => {
    const match = /^uses:\s*(\S+)(.*)$/.exec(line.trim().replace(/^-\s+/, ''));
    if (!match?.[1]) return;
    const uses = match[1].replace(/^['"]|['"]$/g, '');
    const comment = (match[2] ?? '').trim();
    const where = `${file.path}:${index + 1}`;
    if (uses.startsWith('./')) return;
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses)) {
        findings.push({
          rule: 'pin-sha',
          file: file.path,
          message: `${where}: ${uses} is not pinned by digest`,
        });
      }
      return;
    }
    const [name = '', ref = ''] = uses.split('@');
    const pinned = ACTION_NAME.test(name) && COMMIT_SHA.test(ref) ? [uses, name, ref] : undefined;
    if (!pinned?.[1] || !pinned[2]) {
      findings.push({
        rule: 'pin-sha',
        file: file.path,
        message: `${where}: ${uses} is not pinned to a full commit SHA`,
      });
      return;
    }
    const tag = /^#\s*(v\d[\w.+-]*)/.exec(comment)?.[1];
    if (!tag) {
      findings.push({
        rule: 'pin-comment',
        file: file.path,
        message: `${where}: ${uses} has no "# vX.Y.Z" comment`,
      });
    }
    const reviewed = actions[pinned[1]];
    if (!reviewed) {
      findings.push({
        rule: 'action-unreviewed',
        file: file.path,
        message: `${where}: ${pinned[1]} is not in ${ACTIONS_TABLE}; review it and add its commit and inputs`,
      });
    } else if (reviewed.sha !== pinned[2] || (tag !== undefined && reviewed.tag !== tag)) {
      findings.push({
        rule: 'pin-reviewed',
        file: file.path,
        message: `${where}: ${pinned[1]}@${pinned[2]} ${tag ?? ''} is not the reviewed ${reviewed.tag} (${reviewed.sha}); update ${ACTIONS_TABLE} with the new release's commit and inputs`,
      });
    }
  });
  return findings;
}

function checkTriggers(file: WorkflowFile, workflow: Json): Finding[] {
  const findings: Finding[] = [];
  const on = workflow.on;
  const triggers =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((t) => [text(t), null]))
        : record(on);
  if ('pull_request_target' in triggers) {
    findings.push({
      rule: 'no-pull-request-target',
      file: file.path,
      message: 'pull_request_target runs fork code with a write token and secrets',
    });
  }
  if (isRecord(triggers.workflow_dispatch) && triggers.workflow_dispatch.inputs !== undefined) {
    findings.push({
      rule: 'dispatch-inputs',
      file: file.path,
      message: 'workflow_dispatch must have no inputs (Checkov CKV_GHA_7)',
    });
  }
  return findings;
}

function triggersOf(workflow: Json): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(text);
  return Object.keys(record(on));
}

/** The union of permissions the jobs of a local reusable workflow ask for. */
function calleePermissions(root: string, uses: string): Map<string, string> | undefined {
  const path = join(root, uses);
  if (!existsSync(path)) return undefined;
  const callee = record(parse(readFileSync(path, 'utf8')));
  const union = new Map<string, string>();
  for (const job of Object.values(record(callee.jobs))) {
    const permissions = permissionsOf(record(job));
    if (!(permissions instanceof Map)) continue;
    for (const [scope, level] of permissions) {
      if (level === 'write' || (level === 'read' && union.get(scope) !== 'write')) union.set(scope, level);
    }
  }
  return union;
}

function checkPermissions(root: string, file: WorkflowFile, workflow: Json): Finding[] {
  const findings: Finding[] = [];
  const top = workflow.permissions;
  if (!isRecord(top) || Object.keys(top).length > 0) {
    findings.push({
      rule: 'permissions-top-level',
      file: file.path,
      message: 'top-level permissions must be {}: each job asks for what it needs',
    });
  }
  for (const [jobId, rawJob] of Object.entries(record(workflow.jobs))) {
    const job = record(rawJob);
    const permissions = permissionsOf(job);
    if (permissions === undefined) {
      findings.push({
        rule: 'permissions-job',
        file: file.path,
        job: jobId,
        message: 'job declares no permissions',
      });
      continue;
    }
    if (permissions === 'write-all' || permissions === 'read-all') {
      findings.push({
        rule: 'permissions-job',
        file: file.path,
        job: jobId,
        message: `${permissions} grants every scope; list the scopes the job needs`,
      });
      continue;
    }
    const uses = text(job.uses);
    if (uses.startsWith('./')) {
      const needed = calleePermissions(root, uses);
      if (!needed) continue;
      for (const [scope, level] of needed) {
        const granted = permissions.get(scope);
        if (granted !== level && !(level === 'read' && granted === 'write')) {
          findings.push({
            rule: 'permissions-reusable',
            file: file.path,
            job: jobId,
            message: `${uses} has a job asking for ${scope}: ${level}; the caller grants ${granted ?? 'none'}, so the run would not start`,
          });
        }
      }
      for (const [scope, level] of permissions) {
        if (level === 'write' && needed.get(scope) !== 'write') {
          findings.push({
            rule: 'permissions-write',
            file: file.path,
            job: jobId,
            message: `grants ${scope}: write, which no job of ${uses} needs`,
          });
        }
      }
      continue;
    }
    for (const [scope, level] of permissions) {
      if (level !== 'write') continue;
      if (scope === 'security-events') {
        if (!uploadsSarif(job)) {
          findings.push({
            rule: 'permissions-write',
            file: file.path,
            job: jobId,
            message: 'security-events: write without a SARIF upload',
          });
        }
        continue;
      }
      const allowance = WRITE_PERMISSIONS[scope];
      if (!allowance?.jobs.test(jobId)) {
        findings.push({
          rule: 'permissions-write',
          file: file.path,
          job: jobId,
          message: `${scope}: write is not allowed in job "${jobId}"${allowance ? ` (only for: ${allowance.why})` : ''}`,
        });
      }
    }
    if (uploadsSarif(job) && permissions.get('security-events') !== 'write') {
      findings.push({
        rule: 'sarif-permission',
        file: file.path,
        job: jobId,
        message: 'uploads SARIF without security-events: write',
      });
    }
  }
  return findings;
}

function checkSteps(
  root: string,
  file: WorkflowFile,
  workflow: Json,
  actions: Record<string, ReviewedAction>,
): Finding[] {
  const findings: Finding[] = [];
  for (const [jobId, rawJob] of Object.entries(record(workflow.jobs))) {
    const job = record(rawJob);
    if (job['continue-on-error'] !== undefined && job['continue-on-error'] !== false) {
      findings.push({
        rule: 'continue-on-error',
        file: file.path,
        job: jobId,
        message: 'a gate that may fail silently is no gate',
      });
    }
    if (job['runs-on'] === undefined) continue;
    if (job['timeout-minutes'] === undefined) {
      findings.push({ rule: 'timeout', file: file.path, job: jobId, message: 'job has no timeout-minutes' });
    }
    const steps = list(job.steps).map(record);
    const first = steps[0];
    const egress = text(record(first?.with)['egress-policy']);
    if (
      !first ||
      actionName(text(first.uses)) !== 'step-security/harden-runner' ||
      !['audit', 'block'].includes(egress)
    ) {
      findings.push({
        rule: 'harden-runner-first',
        file: file.path,
        job: jobId,
        message: 'the first step must be step-security/harden-runner with an egress-policy',
      });
    }
    let downloadedArtifact = false;
    steps.forEach((step, index) => {
      const label = stepLabel(step, index);
      const uses = text(step.uses);
      const action = actionName(uses);
      const run = text(step.run);
      const inputs = record(step.with);
      if (step['continue-on-error'] !== undefined && step['continue-on-error'] !== false) {
        findings.push({
          rule: 'continue-on-error',
          file: file.path,
          job: jobId,
          step: label,
          message: 'step may fail silently',
        });
      }
      if (run.includes('${{')) {
        findings.push({
          rule: 'expression-in-run',
          file: file.path,
          job: jobId,
          step: label,
          message:
            'an expression in run: is pasted into the script before it runs (injection); pass it through env:',
        });
      }
      if (action === 'actions/checkout' && text(inputs['persist-credentials']) !== 'false') {
        findings.push({
          rule: 'checkout-credentials',
          file: file.path,
          job: jobId,
          step: label,
          message: 'checkout must set persist-credentials: false (the token would stay in .git/config)',
        });
      }
      if (action === 'actions/download-artifact') downloadedArtifact = true;
      const builds = IMAGE_BUILD_ACTIONS.includes(action) || IMAGE_BUILD_COMMAND.test(run);
      if (builds && !IMAGE_BUILD_JOBS.includes(jobId)) {
        findings.push({
          rule: 'build-once',
          file: file.path,
          job: jobId,
          step: label,
          message: `images are built only in ${IMAGE_BUILD_JOBS.join(', ')}; use the image artifact instead`,
        });
      }
      const scansImage =
        (action === 'aquasecurity/trivy-action' && text(inputs['scan-type'] ?? 'image') === 'image') ||
        action.startsWith('zaproxy/') ||
        /\bdocker\s+load\b/.test(run) ||
        /\bdocker\s+image\s+load\b/.test(run);
      if (scansImage && !downloadedArtifact && !IMAGE_BUILD_JOBS.includes(jobId)) {
        findings.push({
          rule: 'scan-uses-artifact',
          file: file.path,
          job: jobId,
          step: label,
          message: 'scans or runs an image without first downloading the built image artifact',
        });
      }
      if (stepUploadsSarif(step)) {
        const guarded =
          action === 'github/codeql-action/analyze'
            ? FORK_GUARD.test(text(inputs.upload))
            : FORK_GUARD.test(text(step.if));
        if (!guarded) {
          findings.push({
            rule: 'sarif-fork-guard',
            file: file.path,
            job: jobId,
            step: label,
            message:
              'SARIF upload must be skipped on fork pull requests (read-only token): guard it with github.event.pull_request.head.repo.full_name == github.repository',
          });
        }
      }
      const reviewed = actions[action];
      if (reviewed && uses.includes('@')) {
        for (const key of Object.keys(inputs)) {
          if (!reviewed.inputs.includes(key)) {
            findings.push({
              rule: 'action-input',
              file: file.path,
              job: jobId,
              step: label,
              message: `${action} ${reviewed.tag} has no input "${key}"`,
            });
          }
        }
      }
      for (const key of CONFIG_INPUTS[action] ?? []) {
        for (const path of text(inputs[key])
          .split(',')
          .map((p) => p.trim())) {
          if (path && !path.includes('${{') && !existsSync(join(root, path))) {
            findings.push({
              rule: 'config-missing',
              file: file.path,
              job: jobId,
              step: label,
              message: `${key}: ${path} does not exist`,
            });
          }
        }
      }
    });
  }
  return findings;
}

/** Jobs that `jobId` needs, directly or through other jobs. */
function ancestors(jobs: Json, jobId: string, seen = new Set<string>()): Set<string> {
  const needs = record(jobs[jobId]).needs;
  for (const need of typeof needs === 'string' ? [needs] : list(needs).map(text)) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(jobs, need, seen);
    }
  }
  return seen;
}

/** The publish job: needs every other job that is not downstream of it; never runs for pull requests. */
function checkPublish(file: WorkflowFile, workflow: Json): Finding[] {
  const findings: Finding[] = [];
  const jobs = record(workflow.jobs);
  for (const [jobId, rawJob] of Object.entries(jobs)) {
    const permissions = permissionsOf(record(rawJob));
    const publishes =
      jobId === 'publish' || (permissions instanceof Map && permissions.get('packages') === 'write');
    if (!publishes) continue;
    const upstream = ancestors(jobs, jobId);
    for (const other of Object.keys(jobs)) {
      if (other === jobId || ancestors(jobs, other).has(jobId)) continue;
      if (!upstream.has(other)) {
        findings.push({
          rule: 'publish-needs-gates',
          file: file.path,
          job: jobId,
          message: `does not need gate job "${other}"`,
        });
      }
    }
    const triggers = triggersOf(workflow);
    const condition = text(record(rawJob).if);
    const excludesPullRequests =
      /github\.event_name\s*==\s*'(push|release|workflow_dispatch|schedule)'/.test(condition) ||
      /github\.event_name\s*!=\s*'pull_request'/.test(condition);
    if (triggers.includes('pull_request') && !excludesPullRequests) {
      findings.push({
        rule: 'publish-not-on-pull-request',
        file: file.path,
        job: jobId,
        message: "the workflow runs on pull_request but the job's if: does not exclude it",
      });
    }
  }
  return findings;
}

/** Every policy finding of one workflow. `root` resolves config paths and local reusable workflows. */
export function checkWorkflow(root: string, file: WorkflowFile, options: PolicyOptions = {}): Finding[] {
  const actions = options.actions ?? loadReviewedActions(root);
  let workflow: Json;
  try {
    workflow = record(parse(file.text));
  } catch (err) {
    return [{ rule: 'yaml', file: file.path, message: err instanceof Error ? err.message : String(err) }];
  }
  return [
    ...checkPins(file, actions),
    ...checkTriggers(file, workflow),
    ...checkPermissions(root, file, workflow),
    ...checkSteps(root, file, workflow, actions),
    ...checkPublish(file, workflow),
  ].filter((finding) => !excepted(finding));
}

// ---- The gate configuration the workflows name ----------------------------------------------------

/** Checkov: the three frameworks, and a reason (a comment naming the check) for every skipped check. */
export function checkCheckovConfig(path: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const document = parseDocument(source);
  if (document.errors.length > 0)
    return [{ rule: 'checkov-config', file: path, message: document.errors[0]?.message ?? 'invalid YAML' }];
  const config = record(document.toJS());
  const frameworks = list(config.framework).map(text);
  for (const required of ['dockerfile', 'github_actions', 'secrets']) {
    if (!frameworks.includes(required)) {
      findings.push({ rule: 'checkov-config', file: path, message: `framework ${required} is not scanned` });
    }
  }
  if (config['soft-fail'] === true)
    findings.push({ rule: 'checkov-config', file: path, message: 'soft-fail turns the gate off' });
  const skipNode = isMap(document.contents) ? document.contents.get('skip-check', true) : undefined;
  if (isSeq(skipNode)) {
    const pair = isMap(document.contents)
      ? document.contents.items.find(
          (item) => text((item.key as { value?: unknown })?.value) === 'skip-check',
        )
      : undefined;
    const comments = [
      skipNode.commentBefore,
      (pair?.key as { commentBefore?: string } | undefined)?.commentBefore,
    ]
      .concat(skipNode.items.map((item) => (item as { commentBefore?: string }).commentBefore))
      .filter((comment): comment is string => typeof comment === 'string')
      .join('\n');
    for (const item of skipNode.items) {
      const id = text((item as { value?: unknown }).value);
      if (!id || !comments.includes(id)) {
        findings.push({
          rule: 'checkov-skip-reason',
          file: path,
          message: `skipped check ${id || '(empty)'} has no comment giving its reason`,
        });
      }
    }
  }
  return findings;
}

/** Inline `checkov:skip=` comments bypass the one reviewed list in checkov.yaml. */
export function checkInlineCheckovSkips(path: string, source: string): Finding[] {
  return source.split('\n').flatMap((line, index) =>
    /checkov:skip=/i.test(line)
      ? [
          {
            rule: 'checkov-inline-skip',
            file: path,
            message: `line ${index + 1}: skip checks in checkov.yaml, with a reason`,
          },
        ]
      : [],
  );
}

/** Trivy config: parses, scans for vulnerabilities, secrets and misconfiguration, names its ignore file. */
export function checkTrivyConfig(root: string, path: string, source: string): Finding[] {
  let config: Json;
  try {
    config = record(parse(source));
  } catch (err) {
    return [{ rule: 'trivy-config', file: path, message: err instanceof Error ? err.message : String(err) }];
  }
  const findings: Finding[] = [];
  const scanners = list(record(config.scan).scanners).map(text);
  for (const scanner of ['vuln', 'secret', 'misconfig']) {
    if (!scanners.includes(scanner))
      findings.push({ rule: 'trivy-config', file: path, message: `scanner ${scanner} is off` });
  }
  const ignorefile = text(config.ignorefile);
  if (!ignorefile) {
    findings.push({
      rule: 'trivy-config',
      file: path,
      message: 'no ignorefile: accepted findings must live in one reviewed file',
    });
  } else if (!existsSync(join(root, ignorefile))) {
    findings.push({ rule: 'config-missing', file: path, message: `ignorefile ${ignorefile} does not exist` });
  }
  return findings;
}

/**
 * .trivyignore: every entry has a `# reason:` comment right above it (in its comment block) and an
 * `exp:YYYY-MM-DD` expiry that is neither past nor more than a year ahead.
 */
export function checkTrivyIgnore(path: string, source: string, now: Date): Finding[] {
  const findings: Finding[] = [];
  let commentBlock: string[] = [];
  source.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const where = `line ${index + 1}`;
    if (line === '') {
      commentBlock = [];
      return;
    }
    if (line.startsWith('#')) {
      commentBlock.push(line);
      return;
    }
    const [id] = line.split(/\s+/);
    if (!commentBlock.some((comment) => /^#\s*reason:\s*\S/i.test(comment))) {
      findings.push({
        rule: 'trivyignore-reason',
        file: path,
        message: `${where}: ${id} has no "# reason:" comment above it`,
      });
    }
    commentBlock = [];
    const expiry = /\bexp:(\d{4}-\d{2}-\d{2})\b/.exec(line)?.[1];
    const expires = expiry ? new Date(`${expiry}T00:00:00Z`) : undefined;
    if (!expires || Number.isNaN(expires.getTime())) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} has no exp:YYYY-MM-DD`,
      });
    } else if (expires.getTime() <= now.getTime()) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} expired on ${expiry}; review it`,
      });
    } else if (expires.getTime() - now.getTime() > 366 * DAY_MS) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} expires more than a year ahead`,
      });
    }
  });
  return findings;
}

export const ZAP_LEVELS: readonly string[] = ['IGNORE', 'INFO', 'WARN', 'FAIL'];

/**
 * ZAP rules file as zap_common.load_config reads it: `#` comments; otherwise exactly
 * id<TAB>level<TAB>name (the unpacking fails on fewer fields); an unknown level aborts the scan.
 */
export function checkZapRules(path: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  source.split('\n').forEach((line, index) => {
    if (line.startsWith('#') || line.trim() === '') return;
    const where = `line ${index + 1}`;
    const fields = line.replace(/\r$/, '').split('\t');
    const [id = '', level = '', name] = fields;
    if (fields.length < 3 || name === undefined) {
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: expected id<TAB>level<TAB>name` });
      return;
    }
    if (level === 'OUTOFSCOPE') {
      if (!id.split(',').every((part) => /^\d+$/.test(part)) && id !== '*')
        findings.push({ rule: 'zap-rules', file: path, message: `${where}: bad rule id ${id}` });
      return;
    }
    if (!/^\d+$/.test(id))
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: bad rule id "${id}"` });
    if (!ZAP_LEVELS.includes(level)) {
      findings.push({
        rule: 'zap-rules',
        file: path,
        message: `${where}: level "${level}" is not one of ${ZAP_LEVELS.join(', ')}`,
      });
    }
    if (seen.has(id))
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: rule ${id} listed twice` });
    seen.add(id);
  });
  return findings;
}

/** CodeQL config: parses, uses the security-extended suite, ignores generated paths. */
export function checkCodeqlConfig(path: string, source: string): Finding[] {
  let config: Json;
  try {
    config = record(parse(source));
  } catch (err) {
    return [{ rule: 'codeql-config', file: path, message: err instanceof Error ? err.message : String(err) }];
  }
  const findings: Finding[] = [];
  const suites = list(config.queries).map((query) => text(record(query).uses));
  if (!suites.some((suite) => suite === 'security-extended' || suite === 'security-and-quality')) {
    findings.push({ rule: 'codeql-config', file: path, message: 'queries must include security-extended' });
  }
  if (list(config['paths-ignore']).length === 0) {
    findings.push({
      rule: 'codeql-config',
      file: path,
      message: 'paths-ignore is empty (dist/, coverage/ would be analysed)',
    });
  }
  return findings;
}

/** Dependabot: npm, github-actions and docker, each on a schedule and grouped. */
export function checkDependabot(path: string, source: string): Finding[] {
  let config: Json;
  try {
    config = record(parse(source));
  } catch (err) {
    return [{ rule: 'dependabot', file: path, message: err instanceof Error ? err.message : String(err) }];
  }
  const findings: Finding[] = [];
  const updates = list(config.updates).map(record);
  for (const ecosystem of ['npm', 'github-actions', 'docker']) {
    const update = updates.find((u) => u['package-ecosystem'] === ecosystem);
    if (!update) findings.push({ rule: 'dependabot', file: path, message: `no updates for ${ecosystem}` });
    else if (!record(update.schedule).interval || !isRecord(update.groups)) {
      findings.push({ rule: 'dependabot', file: path, message: `${ecosystem} needs a schedule and groups` });
    }
  }
  return findings;
}

function readIfExists(root: string, path: string): string | undefined {
  const full = join(root, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

/** The gate configuration named by the workflows, checked by type. */
export function checkPolicyFiles(root: string, workflows: WorkflowFile[], now: Date): Finding[] {
  const findings: Finding[] = [];
  const checked = new Set<string>();
  const checkOnce = (path: string, check: (source: string) => Finding[]) => {
    if (checked.has(path)) return;
    checked.add(path);
    const source = readIfExists(root, path);
    if (source === undefined)
      findings.push({ rule: 'config-missing', file: path, message: 'named by a workflow but missing' });
    else findings.push(...check(source));
  };
  for (const file of workflows) {
    let workflow: Json;
    try {
      workflow = record(parse(file.text));
    } catch {
      continue;
    }
    findings.push(...checkInlineCheckovSkips(file.path, file.text));
    for (const job of Object.values(record(workflow.jobs))) {
      for (const step of list(record(job).steps).map(record)) {
        const action = actionName(text(step.uses));
        const inputs = record(step.with);
        const named = (key: string) => text(inputs[key]).replace(/^\.\//, '');
        if (action === 'bridgecrewio/checkov-action') {
          checkOnce(named('config_file') || '.checkov.yaml', (source) =>
            checkCheckovConfig(named('config_file'), source),
          );
        }
        if (action === 'aquasecurity/trivy-action' && named('trivy-config')) {
          checkOnce(named('trivy-config'), (source) => {
            const own = checkTrivyConfig(root, named('trivy-config'), source);
            const ignorefile = text(record(parse(source)).ignorefile);
            const ignores = ignorefile ? readIfExists(root, ignorefile) : undefined;
            return ignores === undefined ? own : own.concat(checkTrivyIgnore(ignorefile, ignores, now));
          });
        }
        if (action.startsWith('zaproxy/') && named('rules_file_name')) {
          checkOnce(named('rules_file_name'), (source) => checkZapRules(named('rules_file_name'), source));
        }
        if (action === 'github/codeql-action/init' && named('config-file')) {
          checkOnce(named('config-file'), (source) => checkCodeqlConfig(named('config-file'), source));
        }
      }
    }
  }
  const dockerfile = readIfExists(root, 'Dockerfile');
  if (dockerfile !== undefined) findings.push(...checkInlineCheckovSkips('Dockerfile', dockerfile));
  const dependabot = readIfExists(root, '.github/dependabot.yml');
  if (dependabot === undefined)
    findings.push({ rule: 'dependabot', file: '.github/dependabot.yml', message: 'missing' });
  else findings.push(...checkDependabot('.github/dependabot.yml', dependabot));
  return findings;
}

/** Every finding for the repository at `root`: each workflow, then the configuration they name. */
export function checkRepository(root: string, options: PolicyOptions = {}): Finding[] {
  const actions = options.actions ?? loadReviewedActions(root);
  const workflows = readWorkflows(root);
  if (workflows.length === 0)
    return [{ rule: 'no-workflows', file: WORKFLOWS_DIR, message: 'no workflow files' }];
  return [
    ...workflows.flatMap((file) => checkWorkflow(root, file, { actions })),
    ...checkPolicyFiles(root, workflows, options.now ?? new Date()),
  ];
}

// ---- GitHub's own parser ----------------------------------------------------------------------------

interface WorkflowParser {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): { message: string }[] } }; value: unknown };
  convertWorkflowTemplate(context: unknown, value: unknown): Promise<unknown>;
  NoOperationTraceWriter: new () => unknown;
}

let loadedParser: WorkflowParser | undefined;

/**
 * @actions/workflow-parser imports its JSON schemas without import attributes, which Node refuses
 * (ERR_IMPORT_ATTRIBUTE_MISSING). esbuild bundles it, schemas included, into one CommonJS file once
 * per parser version; that file is then required directly.
 */
function loadWorkflowParser(root: string): WorkflowParser {
  if (loadedParser) return loadedParser;
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const packageJson = join(root, 'node_modules', '@actions', 'workflow-parser', 'package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const dir = join(tmpdir(), 'workflow-parser-bundle');
  const bundle = join(dir, `workflow-parser-${version}.cjs`);
  if (!existsSync(bundle)) {
    const esbuild = requireFromRoot('esbuild') as {
      buildSync(options: Record<string, unknown>): { outputFiles: { contents: Uint8Array }[] };
    };
    const result = esbuild.buildSync({
      entryPoints: ['@actions/workflow-parser'],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a parallel test worker never requires a half-written file.
    const partial = `${bundle}.${process.pid}.tmp`;
    writeFileSync(partial, result.outputFiles[0]?.contents ?? '');
    renameSync(partial, bundle);
  }
  loadedParser = requireFromRoot(bundle) as WorkflowParser;
  return loadedParser;
}

/** Errors GitHub's workflow parser reports for one workflow (unknown keys, bad needs, bad types). */
export async function checkWorkflowSyntax(root: string, file: WorkflowFile): Promise<Finding[]> {
  const parser = loadWorkflowParser(root);
  const result = parser.parseWorkflow(
    { name: file.path, content: file.text },
    new parser.NoOperationTraceWriter(),
  );
  await parser.convertWorkflowTemplate(result.context, result.value);
  return result.context.errors
    .getErrors()
    .map((error) => ({ rule: 'workflow-syntax', file: file.path, message: error.message }));
}
