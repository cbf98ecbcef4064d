/**
 * What the gate workflows rely on about the tools they call, as checks. Each contract was read from the
 * tool's source at the version we pin and is listed, with that source, in docs/pipeline.md ("Tool
 * contracts"); each rule here fails `npm test` when a workflow edit breaks one (test/pipeline/
 * workflow-contracts.test.ts plants every breach). The workflow policy (security/workflow-policy.ts)
 * checks how the workflows are written; this module checks that what they hand each tool is what the
 * tool reads, and that what they read back is what the tool writes.
 *
 * Only node built-ins and `yaml` are imported, so the module also runs under Node's type stripping.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   named in its workflows; no request or user input reaches these calls. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse } from 'yaml';

export const CONTRACT_RULES = Object.freeze({
  'output-folder-made':
    'A step that writes a report into a folder has that folder made earlier in its job when the tool makes none: Trivy opens its output with a bare os.Create (aquasecurity/trivy pkg/flag/options.go, OutputWriter).',
  'trivy-sarif-shape':
    'A Trivy step that writes a .sarif file asks for format sarif, and never gates on its exit code: with format sarif, trivy-action drops the severity filter (entrypoint.sh), so exit-code 1 would fail on any finding.',
  'sarif-from-scanner':
    "Every SARIF that is uploaded or gated is a file the job's own scanner writes, earlier in that job (a path that nothing writes is a gate that reads nothing).",
  'codeql-gate-threshold':
    'The CodeQL gate fails on error level and on security-severity 7.0 or above: CodeQL results carry no level (the Action groups rules by pack, codeql-action src/codeql.ts).',
  'zap-rules-passed':
    'The ZAP baseline step passes its rules file with -c itself, as zap-baseline.py resolves it under /zap/wrk: zaproxy/action-baseline adds -c only when the file has an IGNORE line (index.js). It fails on WARN too (fail_action true, no -I).',
  'image-by-digest':
    'Every container image a workflow pulls is named by sha256 digest: a docker_name, a docker:// action, a job container or service, a `docker run` image, and the image inside a docker action (bridgecrewio/checkov-action names its image by tag, so it is not used).',
  'checkov-output-paths':
    'A Checkov run with a comma list in --output-file-path gives one path per --output, in order: Checkov maps them by index (checkov common/runners/runner_registry.py).',
  'checkout-first':
    'A step that reads repository files (a config input, a repository script, npm) comes after actions/checkout in its job.',
  'setup-node-lockfile':
    "actions/setup-node with `cache: npm` needs package-lock.json at the root: its cache-restore.ts throws 'Dependencies lock file is not found'.",
  'npm-audit-signatures-installed':
    '`npm audit signatures` runs after `npm ci` in its job: it verifies the installed tree (npm lib/utils/verify-signatures.js).',
  'dependency-review-on-pull-request':
    'actions/dependency-review-action runs only on pull requests (or with base-ref and head-ref): elsewhere its git-refs.ts throws.',
} as const);

export type ContractRuleId = keyof typeof CONTRACT_RULES;

export interface ContractFinding {
  readonly rule: ContractRuleId;
  readonly file: string;
  readonly job: string;
  readonly message: string;
}

export interface ContractWorkflow {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

interface Job {
  readonly steps?: Step[];
  readonly container?: unknown;
  readonly services?: Record<string, unknown>;
}

/** Docker actions whose action.yml runs an image by tag, read at the pinned commit. */
export const DOCKER_ACTIONS_BY_TAG: Readonly<Record<string, string>> = {
  'bridgecrewio/checkov-action': 'docker://ghcr.io/bridgecrewio/checkov:3.3.13 (action.yml @ v12.3119.0)',
  'ossf/scorecard-action': 'docker://ghcr.io/ossf/scorecard-action:v2.4.4 (action.yaml @ v2.4.4)',
};

/**
 * The only exceptions to a contract, each for one workflow and one rule, with its reason (as the
 * workflow policy's WORKFLOW_EXCEPTIONS): anything else is held to every contract.
 */
export const CONTRACT_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'scorecard.yml': {
    'image-by-digest':
      'scorecard.dev publishes results (the README badge) only from the official ossf/scorecard-action, ' +
      'whose action.yaml names its image by release tag; the action itself is pinned by commit, so that ' +
      'tag is the one its release fixed',
  },
};

/** Actions that write a file named by an input and make no folder for it (see the contracts table). */
const WRITERS_WITHOUT_MKDIR: Readonly<Record<string, string>> = { 'aquasecurity/trivy-action': 'output' };

/** Action inputs that name a repository file the action reads. */
const REPOSITORY_FILE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'github/codeql-action/init': ['config-file'],
  'aquasecurity/trivy-action': ['trivy-config', 'trivyignores'],
  'zaproxy/action-baseline': ['rules_file_name'],
  'actions/setup-node': ['node-version-file'],
};

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const IMAGES_FILE = 'security/gates/images.json';
/** `docker run` options that take a value as the next word. */
const DOCKER_RUN_VALUE_FLAGS = new Set([
  '-v',
  '--volume',
  '-w',
  '--workdir',
  '--name',
  '-p',
  '--publish',
  '-u',
  '--user',
  '--network',
  '-e',
  '--env',
  '--security-opt',
  '--cap-drop',
  '--cap-add',
  '--entrypoint',
  '--platform',
  '--pull',
]);

const actionOf = (step: Step): string | undefined => step.uses?.split('@')[0];
const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';

/** The shell words of a script, with line continuations joined and quotes kept on each word. */
function commands(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n');
}

/** Paths in `run:` scripts and action inputs that a step writes, keyed by what reads them. */
function sarifWrittenBy(step: Step): string[] {
  const action = actionOf(step);
  const written: string[] = [];
  if (action === 'aquasecurity/trivy-action' && text(step.with?.format) === 'sarif') {
    written.push(text(step.with?.output));
  }
  if (action === 'github/codeql-action/analyze') written.push(text(step.with?.output ?? '../results'));
  // ossf/scorecard-action writes its results to `results_file` in `results_format` (action.yaml and
  // README @ v2.4.4: both inputs required; the README uploads results.sarif from there).
  if (action === 'ossf/scorecard-action' && text(step.with?.results_format) === 'sarif') {
    written.push(text(step.with?.results_file));
  }
  for (const line of commands(step.run ?? '')) {
    // scripts/lint-sarif.mjs writes reports/eslint.sarif (and makes reports/).
    if (/\bnpm run lint:sarif\b/.test(line)) written.push('reports/eslint.sarif');
    // security/secrets-history.mjs writes its --sarif path (and makes its folder).
    const history = /\bsecurity\/secrets-history\.mjs\b.*\s--sarif\s+(\S+)/.exec(line)?.[1];
    if (history !== undefined) written.push(history.replace(/^"|"$/g, ''));
    const checkov = checkovOutputs(line);
    if (checkov !== undefined) {
      const index = checkov.outputs.indexOf('sarif');
      const path = checkov.paths?.[index];
      if (path !== undefined) written.push(path);
    }
  }
  return written.filter((path) => path !== '');
}

/** A Checkov command line's --output values and --output-file-path entries. */
function checkovOutputs(line: string): { outputs: string[]; paths: string[] | undefined } | undefined {
  if (!/\s--config-file\s+checkov\.yaml\b/.test(line) && !/\bcheckov\b/.test(line)) return undefined;
  const outputs = [...line.matchAll(/--output\s+(\S+)/g)].map((match) => match[1] ?? '');
  if (outputs.length === 0) return undefined;
  const pathList = /--output-file-path\s+(\S+)/.exec(line)?.[1];
  return { outputs, paths: pathList?.split(',') };
}

/** The path arguments of `node security/sarif-gate.mjs …` calls in a script. */
function sarifGateCalls(script: string): { args: string[]; paths: string[] }[] {
  return commands(script).flatMap((line) => {
    const match = /node security\/sarif-gate\.mjs\s+(.*)$/.exec(line);
    if (!match) return [];
    const words = (match[1] ?? '').split(/\s+/).filter((word) => word !== '');
    const paths: string[] = [];
    for (let index = 0; index < words.length; index += 1) {
      const word = words[index] ?? '';
      if (word === '--fail-level' || word === '--fail-security-severity') index += 1;
      else if (!word.startsWith('--')) paths.push(word.replace(/^"|"$/g, ''));
    }
    return [{ args: words, paths }];
  });
}

/**
 * One spelling for the runner's folders: an input says `${{ runner.temp }}`, a script says
 * `$RUNNER_TEMP` or `${RUNNER_TEMP}` (GitHub sets both to the same folder; likewise the workspace).
 */
function runnerPath(path: string): string {
  return path
    .replace(/\$\{\{\s*runner\.temp\s*\}\}|\$\{RUNNER_TEMP\}/g, '$RUNNER_TEMP')
    .replace(/\$\{\{\s*github\.workspace\s*\}\}|\$\{GITHUB_WORKSPACE\}/g, '$GITHUB_WORKSPACE');
}

/** Whether `path` (a file or folder) is at or under one of `written`. */
function covered(path: string, written: readonly string[]): boolean {
  const normal = posix.normalize(runnerPath(path)).replace(/\/$/, '');
  return written.some((candidate) => {
    const base = posix.normalize(runnerPath(candidate)).replace(/\/$/, '');
    return normal === base || normal.startsWith(`${base}/`);
  });
}

/** The folders a `mkdir` on this line makes (its words up to the end of that command). */
function madeFolders(line: string): string[] {
  const words = line.trim().split(/\s+/);
  const made: string[] = [];
  for (let index = words.indexOf('mkdir'); index !== -1 && index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (index === words.indexOf('mkdir') || word.startsWith('-')) continue;
    if (/^(&&|\|\||;|\|)$/.test(word)) break;
    made.push(word.replace(/^"|"$/g, ''));
  }
  return made;
}

/** The image word of a `docker run` command line, or undefined when it has none. */
function dockerRunImage(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  const start = words.findIndex((word, index) => word === 'run' && words[index - 1] === 'docker');
  if (start === -1) return undefined;
  for (let index = start + 1; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word.startsWith('-')) {
      if (!word.includes('=') && DOCKER_RUN_VALUE_FLAGS.has(word)) index += 1;
      continue;
    }
    return word.replace(/^"|"$/g, '');
  }
  return undefined;
}

/** Checks every contract on the given workflows; `root` is the repository (for the files they name). */
export function checkWorkflowContracts(
  root: string,
  workflows: readonly ContractWorkflow[],
): ContractFinding[] {
  return contractFindings(root, workflows).filter(
    (finding) => CONTRACT_EXCEPTIONS[finding.file.split('/').pop() ?? '']?.[finding.rule] === undefined,
  );
}

function contractFindings(root: string, workflows: readonly ContractWorkflow[]): ContractFinding[] {
  const findings: ContractFinding[] = [];
  const images = existsSync(join(root, IMAGES_FILE))
    ? (JSON.parse(readFileSync(join(root, IMAGES_FILE), 'utf8')) as Record<string, { reference?: string }>)
    : {};

  for (const workflow of workflows) {
    const document = parse(workflow.text) as { jobs?: Record<string, Job> } | null;
    for (const [jobName, job] of Object.entries(document?.jobs ?? {})) {
      const report = (rule: ContractRuleId, message: string) =>
        findings.push({ rule, file: workflow.path, job: jobName, message });
      const steps = job.steps ?? [];
      const foldersMade: string[] = [];
      const sarifWritten: string[] = [];
      let checkedOut = false;
      let installed = false;
      const builtHere = new Set<string>();

      for (const image of [job.container, ...Object.values(job.services ?? {})]) {
        if (image === undefined) continue;
        const reference = typeof image === 'string' ? image : text((image as { image?: unknown }).image);
        if (!DIGEST.test(reference)) report('image-by-digest', `container image ${reference} has no digest`);
      }

      for (const step of steps) {
        const action = actionOf(step);
        const label = step.name ?? step.uses ?? 'a step';
        const script = step.run ?? '';

        // Reading the repository needs the checkout first.
        const readsInputs = (REPOSITORY_FILE_INPUTS[action ?? ''] ?? []).filter(
          (input) => step.with?.[input] !== undefined,
        );
        const readsScripts =
          /\b(node (security|scripts|deploy)\/|npm (ci|run|test|audit)|jq [^|]*security\/)/.test(script);
        if (!checkedOut && (readsInputs.length > 0 || readsScripts)) {
          report('checkout-first', `${label} reads repository files before actions/checkout`);
        }
        if (action === 'actions/checkout') checkedOut = true;

        // Folders made by scripts, and what the scripts do.
        for (const line of commands(script)) {
          foldersMade.push(...madeFolders(line));
          if (/\bnpm ci\b/.test(line)) installed = true;
          if (/\bnpm audit signatures\b/.test(line) && !installed) {
            report('npm-audit-signatures-installed', `${label}: npm audit signatures before npm ci`);
          }
          const built = /docker build\s.*-t\s+(\S+)/.exec(line)?.[1];
          if (built !== undefined) builtHere.add(built);
          const checkov = checkovOutputs(line);
          if (checkov?.paths !== undefined && checkov.paths.length !== checkov.outputs.length) {
            report(
              'checkov-output-paths',
              `${label}: ${checkov.outputs.length} --output but ${checkov.paths.length} --output-file-path entries`,
            );
          }
          const image = dockerRunImage(line);
          if (image !== undefined) {
            const fromImages = /image=\$\(jq -r \.(\w+)\.reference security\/gates\/images\.json\)/.exec(
              script,
            )?.[1];
            const viaEnv = /^\$\{?(\w+)\}?$/.exec(image)?.[1];
            const envValue = viaEnv === undefined ? undefined : text(step.env?.[viaEnv]);
            const pinned =
              DIGEST.test(image) ||
              (viaEnv === 'image' &&
                fromImages !== undefined &&
                DIGEST.test(images[fromImages]?.reference ?? '')) ||
              // The candidate image the build job made and every gate scans, loaded from its artifact.
              (envValue !== undefined && /^\$\{\{\s*needs\.\w+\.outputs\.image-ref\s*\}\}$/.test(envValue)) ||
              builtHere.has(image);
            if (!pinned) report('image-by-digest', `${label}: docker run ${image} is not pinned by digest`);
          }
        }

        // Actions.
        if (action !== undefined && action in DOCKER_ACTIONS_BY_TAG) {
          report('image-by-digest', `${label}: ${action} runs ${DOCKER_ACTIONS_BY_TAG[action]}, a tag`);
        }
        if (step.uses?.startsWith('docker://') && !DIGEST.test(step.uses)) {
          report('image-by-digest', `${label}: ${step.uses} is not pinned by digest`);
        }
        if (action === 'actions/setup-node' && text(step.with?.cache) === 'npm') {
          if (!existsSync(join(root, 'package-lock.json'))) {
            report('setup-node-lockfile', `${label}: cache npm without package-lock.json`);
          }
        }
        if (action === 'actions/dependency-review-action') {
          const refsGiven = step.with?.['base-ref'] !== undefined && step.with?.['head-ref'] !== undefined;
          if (!refsGiven && !/github\.event_name\s*==\s*'pull_request'/.test(text(step.if))) {
            report('dependency-review-on-pull-request', `${label} can run outside a pull request`);
          }
        }
        const writesWithoutMkdir = WRITERS_WITHOUT_MKDIR[action ?? ''];
        if (writesWithoutMkdir !== undefined) {
          const output = text(step.with?.[writesWithoutMkdir]);
          const folder = output === '' ? '.' : dirname(output);
          // `mkdir -p a/b` makes a/ too.
          if (folder !== '.' && !foldersMade.some((made) => covered(made, [folder]))) {
            report('output-folder-made', `${label} writes ${output}, but no earlier step makes ${folder}/`);
          }
        }
        if (action === 'aquasecurity/trivy-action') {
          const output = text(step.with?.output);
          const sarif = text(step.with?.format) === 'sarif';
          if (output.endsWith('.sarif') && !sarif) {
            report(
              'trivy-sarif-shape',
              `${label} writes ${output} in format ${text(step.with?.format) || 'table'}`,
            );
          }
          const limited = text(step.with?.['limit-severities-for-sarif']) === 'true';
          if (sarif && !limited && text(step.with?.['exit-code'] ?? '0') !== '0') {
            report('trivy-sarif-shape', `${label}: a SARIF run ignores severity, so exit-code must be 0`);
          }
        }
        if (action === 'zaproxy/action-baseline') {
          const options = text(step.with?.cmd_options).split(/\s+/);
          const rulesFile = text(step.with?.rules_file_name);
          const passed = options[options.indexOf('-c') + 1];
          if (!options.includes('-c') || passed === undefined || (rulesFile !== '' && passed !== rulesFile)) {
            report(
              'zap-rules-passed',
              `${label}: cmd_options does not pass -c ${rulesFile || '<rules file>'}`,
            );
          } else if (!existsSync(join(root, passed))) {
            report('zap-rules-passed', `${label}: -c ${passed} names no file in the repository`);
          }
          if (text(step.with?.fail_action) !== 'true' || options.includes('-I')) {
            report('zap-rules-passed', `${label}: a WARN must fail the gate (fail_action: true, no -I)`);
          }
          const dockerName = text(step.with?.docker_name);
          if (!DIGEST.test(dockerName)) {
            report(
              'image-by-digest',
              `${label}: docker_name is not pinned by digest (default: the stable tag)`,
            );
          } else if (images.zap?.reference !== undefined && dockerName !== images.zap.reference) {
            // One ZAP pin: the image CI scans with is the one the local runner and the self-test use.
            report('image-by-digest', `${label}: docker_name differs from ${IMAGES_FILE}'s zap reference`);
          }
        }

        // What is read back must be what was written.
        if (action === 'github/codeql-action/upload-sarif') {
          const file = text(step.with?.sarif_file ?? '../results');
          if (!covered(file, sarifWritten)) {
            report('sarif-from-scanner', `${label} uploads ${file}, which no earlier step of the job writes`);
          }
        }
        for (const call of sarifGateCalls(script)) {
          for (const path of call.paths) {
            if (!path.startsWith('"$') && !path.startsWith('$') && !covered(path, sarifWritten)) {
              report(
                'sarif-from-scanner',
                `${label} gates on ${path}, which no earlier step of the job writes`,
              );
            }
            if (
              covered(
                path,
                steps
                  .filter((s) => actionOf(s) === 'github/codeql-action/analyze')
                  .map((s) => text(s.with?.output)),
              )
            ) {
              const severity = call.args[call.args.indexOf('--fail-security-severity') + 1];
              const levels = call.args[call.args.indexOf('--fail-level') + 1] ?? '';
              const ok =
                call.args.includes('--fail-level') &&
                levels.split(',').includes('error') &&
                call.args.includes('--fail-security-severity') &&
                Number(severity) <= 7;
              if (!ok) report('codeql-gate-threshold', `${label}: ${call.args.join(' ')}`);
            }
          }
        }
        sarifWritten.push(...sarifWrittenBy(step));
      }
    }
  }
  return findings;
}

/** One line per finding, `file job rule message`, for terminals and test failures. */
export function formatContractFindings(findings: readonly ContractFinding[]): string {
  return findings
    .map((finding) => `${finding.file} ${finding.job}: ${finding.rule} ${finding.message}`)
    .join('\n');
}
