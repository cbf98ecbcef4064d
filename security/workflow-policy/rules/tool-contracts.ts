/**
 * Tool contracts: what the workflows hand each tool is what the tool reads, and what they read back is
 * what the tool writes. Each contract was read from the tool's source at the version we pin and is
 * listed, with that source, in docs/pipeline.md ("Tool contracts"). Where a contract depends on what
 * earlier steps of the job did (a folder made, a SARIF written, the checkout), the rule looks back over
 * `steps` up to the step it checks, as `scan-uses-artifact` does.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   named in its workflows; no request or user input reaches these calls. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Json, JobScope, Report, StepScope, WorkflowRule } from '../rule.ts';
import { actionName, record, text } from '../rule.ts';

/** Docker actions whose action.yml runs an image by tag, read at the pinned commit. */
export const DOCKER_ACTIONS_BY_TAG: Readonly<Record<string, string>> = {
  'bridgecrewio/checkov-action': 'docker://ghcr.io/bridgecrewio/checkov:3.3.13 (action.yml @ v12.3119.0)',
  'ossf/scorecard-action': 'docker://ghcr.io/ossf/scorecard-action:v2.4.4 (action.yaml @ v2.4.4)',
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
export const IMAGES_FILE = 'security/gates/images.json';
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

/** The command lines of a script, with line continuations joined. */
function commands(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n');
}

const stepsBefore = (scope: StepScope): Json[] => scope.steps.slice(0, scope.index);
/** Every command line the job runs up to and including this step. */
const linesUpTo = (scope: StepScope): string[] =>
  [...stepsBefore(scope), scope.step].flatMap((step) => commands(text(step.run)));

/** The digest pins of the scanner images (security/gates/images.json), read once per repository. */
const imagesByRoot = new Map<string, Record<string, { reference?: string }>>();
function imagesOf(root: string): Record<string, { reference?: string }> {
  let images = imagesByRoot.get(root);
  if (images === undefined) {
    const path = join(root, IMAGES_FILE);
    images = existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, { reference?: string }>)
      : {};
    imagesByRoot.set(root, images);
  }
  return images;
}

/** Paths that a step writes SARIF to. */
function sarifWrittenBy(step: Json): string[] {
  const action = actionName(text(step.uses));
  const inputs = record(step.with);
  const written: string[] = [];
  if (action === 'aquasecurity/trivy-action' && text(inputs.format) === 'sarif') {
    written.push(text(inputs.output));
  }
  if (action === 'github/codeql-action/analyze') written.push(text(inputs.output ?? '../results'));
  // ossf/scorecard-action writes its results to `results_file` in `results_format` (action.yaml and
  // README @ v2.4.4: both inputs required; the README uploads results.sarif from there).
  if (action === 'ossf/scorecard-action' && text(inputs.results_format) === 'sarif') {
    written.push(text(inputs.results_file));
  }
  for (const line of commands(text(step.run))) {
    // scripts/lint-sarif.mjs writes reports/eslint.sarif (and makes reports/).
    if (/\bnpm run lint:sarif\b/.test(line)) written.push('reports/eslint.sarif');
    // security/secrets-history.mjs writes its --sarif path (and makes its folder).
    const history = /\bsecurity\/secrets-history\.mjs\b.*\s--sarif\s+(\S+)/.exec(line)?.[1];
    if (history !== undefined) written.push(history.replace(/^"|"$/g, ''));
    // zizmor --format sarif writes to stdout: the file it is redirected to.
    const zizmor = /\bzizmor"?\s.*--format[ =]sarif\b.*>\s*(\S+)/.exec(line)?.[1];
    if (zizmor !== undefined) written.push(zizmor);
    // security/gates/actionlint-sarif.ts INPUT OUTPUT writes OUTPUT (and makes its folder).
    const actionlint = /\bsecurity\/gates\/actionlint-sarif\.ts\s+\S+\s+(\S+)/.exec(line)?.[1];
    if (actionlint !== undefined) written.push(actionlint);
    // hadolint writes SARIF on stdout with --format sarif: the file that output is redirected to.
    const hadolint = /\bhadolint\b.*\s--format\s+sarif\b[^>]*>\s*(\S+)/.exec(line)?.[1];
    if (hadolint !== undefined) written.push(hadolint.replace(/^"|"$/g, ''));
    // security/dependencies/osv-scanner-gate.sh writes $OSV_SARIF, reports/osv-scanner.sarif by default.
    if (/\bsecurity\/dependencies\/osv-scanner-gate\.sh\b/.test(line))
      written.push(text(record(step.env).OSV_SARIF) || 'reports/osv-scanner.sarif');
    const checkov = checkovOutputs(line);
    if (checkov !== undefined) {
      const path = checkov.paths?.[checkov.outputs.indexOf('sarif')];
      if (path !== undefined) written.push(path);
    }
  }
  return written.filter((path) => path !== '');
}

/** A Checkov command line's --output values and --output-file-path entries. */
function checkovOutputs(line: string): { outputs: string[]; paths: string[] | undefined } | undefined {
  if (!/\bcheckov\b/.test(line)) return undefined;
  const outputs = [...line.matchAll(/--output\s+(\S+)/g)].map((match) => match[1] ?? '');
  if (outputs.length === 0) return undefined;
  const pathList = /--output-file-path\s+(\S+)/.exec(line)?.[1];
  return { outputs, paths: pathList?.split(',') };
}

/** The words and path arguments of `node security/sarif-gate.mjs …` calls in a script. */
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
  const start = words.indexOf('mkdir');
  if (start === -1) return [];
  const made: string[] = [];
  for (const word of words.slice(start + 1)) {
    if (/^(&&|\|\||;|\|)$/.test(word)) break;
    if (!word.startsWith('-')) made.push(word.replace(/^"|"$/g, ''));
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
    if (!word.startsWith('-')) return word.replace(/^"|"$/g, '');
    if (!word.includes('=') && DOCKER_RUN_VALUE_FLAGS.has(word)) index += 1;
  }
  return undefined;
}

/** Whether the image a `docker run` names is pinned: by digest, by images.json, or built or loaded here. */
function dockerRunPinned(scope: StepScope, image: string, builtHere: ReadonlySet<string>): boolean {
  const fromImages = /image=\$\(jq -r \.(\w+)\.reference security\/gates\/images\.json\)/.exec(
    scope.run,
  )?.[1];
  const viaEnv = /^\$\{?(\w+)\}?$/.exec(image)?.[1];
  return (
    DIGEST.test(image) ||
    builtHere.has(image) ||
    (viaEnv === 'image' &&
      fromImages !== undefined &&
      DIGEST.test(imagesOf(scope.root)[fromImages]?.reference ?? '')) ||
    // The candidate image the build job made and every gate scans, loaded from its artifact.
    (viaEnv !== undefined &&
      /^\$\{\{\s*needs\.\w+\.outputs\.image-ref\s*\}\}$/.test(text(record(scope.step.env)[viaEnv])))
  );
}

function containerImages({ job, path }: JobScope): Report[] {
  const images: [unknown, (string | number)[]][] = [
    [job.container, [...path, 'container']],
    ...Object.entries(record(job.services)).map(([name, service]): [unknown, (string | number)[]] => [
      service,
      [...path, 'services', name],
    ]),
  ];
  return images
    .filter(([image]) => image !== undefined)
    .map(([image, at]) => [typeof image === 'string' ? image : text(record(image).image), at] as const)
    .filter(([reference]) => !DIGEST.test(reference))
    .map(([reference, at]) => ({ message: `container image ${reference} has no digest`, at }));
}

function stepImages(scope: StepScope): Report[] {
  const { action, inputs, label, step } = scope;
  const reports: Report[] = [];
  const builtHere = new Set<string>();
  const earlierLines = stepsBefore(scope).flatMap((earlier) => commands(text(earlier.run)));
  const addBuilt = (line: string) => {
    const built = /docker build\s.*-t\s+(\S+)/.exec(line)?.[1];
    if (built !== undefined) builtHere.add(built);
  };
  earlierLines.forEach(addBuilt);
  for (const line of commands(scope.run)) {
    addBuilt(line);
    const image = dockerRunImage(line);
    if (image !== undefined && !dockerRunPinned(scope, image, builtHere)) {
      reports.push({ message: `${label}: docker run ${image} is not pinned by digest` });
    }
  }
  if (action in DOCKER_ACTIONS_BY_TAG) {
    reports.push({ message: `${label}: ${action} runs ${DOCKER_ACTIONS_BY_TAG[action]}, a tag` });
  }
  const uses = text(step.uses);
  if (uses.startsWith('docker://') && !DIGEST.test(uses)) {
    reports.push({ message: `${label}: ${uses} is not pinned by digest` });
  }
  if (action === 'zaproxy/action-baseline') {
    const dockerName = text(inputs.docker_name);
    const zap = imagesOf(scope.root).zap?.reference;
    if (!DIGEST.test(dockerName)) {
      reports.push({ message: `${label}: docker_name is not pinned by digest (default: the stable tag)` });
    } else if (zap !== undefined && dockerName !== zap) {
      // One ZAP pin: the image CI scans with is the one the local runner and the self-test use.
      reports.push({ message: `${label}: docker_name differs from ${IMAGES_FILE}'s zap reference` });
    }
  }
  return reports;
}

const report = (condition: boolean, message: string): Report[] => (condition ? [{ message }] : []);
/** A step check that concerns the steps of one action only. */
const ofAction =
  (name: string, check: (scope: StepScope) => Report[]) =>
  (scope: StepScope): Report[] =>
    scope.action === name ? check(scope) : [];

export const TOOL_CONTRACT_RULES: readonly WorkflowRule[] = [
  {
    id: 'output-folder-made',
    level: 'step',
    description:
      'A step that writes a report into a folder has that folder made earlier in its job when the tool makes none: Trivy opens its output with a bare os.Create (aquasecurity/trivy pkg/flag/options.go, OutputWriter).',
    help: 'Add `mkdir -p <folder>` in a step before the one that writes there.',
    check: (scope) => {
      const input = WRITERS_WITHOUT_MKDIR[scope.action];
      if (input === undefined) return [];
      const output = text(scope.inputs[input]);
      const folder = output === '' ? '.' : dirname(output);
      // `mkdir -p a/b` makes a/ too.
      const made = linesUpTo(scope).flatMap(madeFolders);
      return report(
        folder !== '.' && !made.some((path) => covered(path, [folder])),
        `${scope.label} writes ${output}, but no earlier step makes ${folder}/`,
      );
    },
  },
  {
    id: 'trivy-sarif-shape',
    level: 'step',
    description:
      'A Trivy step that writes a .sarif file asks for format sarif, and never gates on its exit code: with format sarif, trivy-action drops the severity filter (entrypoint.sh), so exit-code 1 would fail on any finding.',
    help: 'Run Trivy twice: once as the gate (table, exit-code 1, severity), once to SARIF (exit-code 0).',
    check: ofAction('aquasecurity/trivy-action', ({ inputs, label }) => {
      const output = text(inputs.output);
      const sarif = text(inputs.format) === 'sarif';
      const limited = text(inputs['limit-severities-for-sarif']) === 'true';
      return [
        ...report(
          output.endsWith('.sarif') && !sarif,
          `${label} writes ${output} in format ${text(inputs.format) || 'table'}`,
        ),
        ...report(
          sarif && !limited && text(inputs['exit-code'] ?? '0') !== '0',
          `${label}: a SARIF run ignores severity, so exit-code must be 0`,
        ),
      ];
    }),
  },
  {
    id: 'sarif-from-scanner',
    level: 'step',
    description:
      "Every SARIF that is uploaded or gated is a file the job's own scanner writes, earlier in that job (a path that nothing writes is a gate that reads nothing).",
    help: 'Upload or gate on the exact path the scanner step writes, after that step.',
    check: (scope) => {
      const written = stepsBefore(scope).flatMap(sarifWrittenBy);
      const reports: Report[] = [];
      if (scope.action === 'github/codeql-action/upload-sarif') {
        const file = text(scope.inputs.sarif_file ?? '../results');
        reports.push(
          ...report(
            !covered(file, written),
            `${scope.label} uploads ${file}, which no earlier step of the job writes`,
          ),
        );
      }
      for (const path of sarifGateCalls(scope.run).flatMap((call) => call.paths)) {
        reports.push(
          ...report(
            !path.startsWith('$') && !path.startsWith('"$') && !covered(path, written),
            `${scope.label} gates on ${path}, which no earlier step of the job writes`,
          ),
        );
      }
      return reports;
    },
  },
  {
    id: 'codeql-gate-threshold',
    level: 'step',
    description:
      'The CodeQL gate fails on error level and on security-severity 7.0 or above: CodeQL results carry no level (the Action groups rules by pack, codeql-action src/codeql.ts).',
    help: 'Call security/sarif-gate.mjs with --fail-level error and --fail-security-severity 7.0 on the analyze output.',
    check: (scope) => {
      const analyzed = scope.steps
        .filter((step) => actionName(text(step.uses)) === 'github/codeql-action/analyze')
        .map((step) => text(record(step.with).output));
      return sarifGateCalls(scope.run)
        .filter((call) => call.paths.some((path) => covered(path, analyzed)))
        .filter((call) => {
          const severity = call.args[call.args.indexOf('--fail-security-severity') + 1];
          const levels = call.args[call.args.indexOf('--fail-level') + 1] ?? '';
          return !(
            call.args.includes('--fail-level') &&
            levels.split(',').includes('error') &&
            call.args.includes('--fail-security-severity') &&
            Number(severity) <= 7
          );
        })
        .map((call) => ({ message: `${scope.label}: ${call.args.join(' ')}` }));
    },
  },
  {
    id: 'zap-rules-passed',
    level: 'step',
    description:
      'The ZAP baseline step passes its rules file with -c itself, as zap-baseline.py resolves it under /zap/wrk: zaproxy/action-baseline adds -c only when the file has an IGNORE line (index.js). It fails on WARN too (fail_action true, no -I).',
    help: 'cmd_options: `-c <rules_file_name>` without -I, and fail_action: true.',
    check: ofAction('zaproxy/action-baseline', ({ inputs, label, root }) => {
      const options = text(inputs.cmd_options).split(/\s+/);
      const rulesFile = text(inputs.rules_file_name);
      const passed = options[options.indexOf('-c') + 1];
      const reports: Report[] = [];
      if (!options.includes('-c') || passed === undefined || (rulesFile !== '' && passed !== rulesFile)) {
        reports.push({ message: `${label}: cmd_options does not pass -c ${rulesFile || '<rules file>'}` });
      } else if (!existsSync(join(root, passed))) {
        reports.push({ message: `${label}: -c ${passed} names no file in the repository` });
      }
      return [
        ...reports,
        ...report(
          text(inputs.fail_action) !== 'true' || options.includes('-I'),
          `${label}: a WARN must fail the gate (fail_action: true, no -I)`,
        ),
      ];
    }),
  },
  {
    id: 'image-by-digest',
    level: 'job',
    description:
      'Every container image a workflow pulls is named by sha256 digest: a docker_name, a docker:// action, a job container or service, a `docker run` image, and the image inside a docker action (bridgecrewio/checkov-action names its image by tag, so it is not used).',
    help: 'Name the image as <name>@sha256:<digest>, or read it from security/gates/images.json.',
    check: containerImages,
  },
  {
    id: 'image-by-digest',
    level: 'step',
    description:
      'Every image a step pulls is named by sha256 digest: a docker_name, a docker:// action, a `docker run` image, and the image inside a docker action.',
    help: 'Name the image as <name>@sha256:<digest>, or read it from security/gates/images.json.',
    check: stepImages,
  },
  {
    id: 'checkov-output-paths',
    level: 'step',
    description:
      'A Checkov run with a comma list in --output-file-path gives one path per --output, in order: Checkov maps them by index (checkov common/runners/runner_registry.py).',
    help: 'Give --output-file-path exactly as many comma-separated entries as there are --output flags.',
    check: ({ run, label }) =>
      commands(run).flatMap((line) => {
        const checkov = checkovOutputs(line);
        return checkov?.paths !== undefined && checkov.paths.length !== checkov.outputs.length
          ? [
              {
                message: `${label}: ${checkov.outputs.length} --output but ${checkov.paths.length} --output-file-path entries`,
              },
            ]
          : [];
      }),
  },
  {
    id: 'checkout-first',
    level: 'step',
    description:
      'A step that reads repository files (a config input, a repository script, npm) comes after actions/checkout in its job.',
    help: 'Before actions/checkout the workspace is empty: the step would read nothing, or fail.',
    check: (scope) => {
      const readsInputs = (REPOSITORY_FILE_INPUTS[scope.action] ?? []).some(
        (input) => scope.inputs[input] !== undefined,
      );
      const readsScripts =
        /\b(node (security|scripts|deploy)\/|npm (ci|run|test|audit)|jq [^|]*security\/)/.test(scope.run);
      const checkedOut = stepsBefore(scope).some(
        (step) => actionName(text(step.uses)) === 'actions/checkout',
      );
      return report(
        !checkedOut && (readsInputs || readsScripts),
        `${scope.label} reads repository files before actions/checkout`,
      );
    },
  },
  {
    id: 'setup-node-lockfile',
    level: 'step',
    description:
      "actions/setup-node with `cache: npm` needs package-lock.json at the root: its cache-restore.ts throws 'Dependencies lock file is not found'.",
    help: 'Commit package-lock.json, or drop `cache: npm`.',
    check: ({ action, inputs, label, root }) =>
      report(
        action === 'actions/setup-node' &&
          text(inputs.cache) === 'npm' &&
          !existsSync(join(root, 'package-lock.json')),
        `${label}: cache npm without package-lock.json`,
      ),
  },
  {
    id: 'npm-audit-signatures-installed',
    level: 'step',
    description:
      '`npm audit signatures` runs after `npm ci` in its job: it verifies the installed tree (npm lib/utils/verify-signatures.js).',
    help: 'Run `npm ci` (with --ignore-scripts where the job can write) in an earlier line or step.',
    check: (scope) => {
      const lines = linesUpTo(scope);
      const ownFrom = lines.length - commands(scope.run).length;
      // The same line counts as installed first (`npm ci && npm audit signatures`).
      const installedBy = (index: number) =>
        lines.slice(0, index + 1).some((line) => /\bnpm ci\b/.test(line));
      return (
        lines
          .map((line, index) => ({ line, index }))
          // security/dependencies/npm-audit-gate.sh signatures runs `npm audit signatures` itself.
          .filter(
            ({ line, index }) =>
              index >= ownFrom && /\bnpm audit signatures\b|npm-audit-gate\.sh signatures\b/.test(line),
          )
          .filter(({ index }) => !installedBy(index))
          .map(() => ({ message: `${scope.label}: npm audit signatures before npm ci` }))
      );
    },
  },
  {
    id: 'dependency-review-on-pull-request',
    level: 'step',
    description:
      'actions/dependency-review-action runs only on pull requests (or with base-ref and head-ref): elsewhere its git-refs.ts throws.',
    help: "Guard the step with `if: github.event_name == 'pull_request'`.",
    check: ofAction('actions/dependency-review-action', ({ inputs, label, step }) => {
      const refsGiven = inputs['base-ref'] !== undefined && inputs['head-ref'] !== undefined;
      return report(
        !refsGiven && !/github\.event_name\s*==\s*'pull_request'/.test(text(step.if)),
        `${label} can run outside a pull request`,
      );
    }),
  },
];
