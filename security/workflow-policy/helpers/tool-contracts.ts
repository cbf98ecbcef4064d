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
import { join, posix } from 'node:path';
import type { Json, JobScope, Report, StepScope } from '../rule.ts';
import { actionName, record, text } from '../rule.ts';
import { IMAGES_FILE, PINNED_BY_DIGEST } from '../../constants.ts';

/** Docker actions whose action.yml runs an image by tag, read at the pinned commit. */
export const DOCKER_ACTIONS_BY_TAG: Readonly<Record<string, string>> = {
  'bridgecrewio/checkov-action': 'docker://ghcr.io/bridgecrewio/checkov:3.3.13 (action.yml @ v12.3119.0)',
  'ossf/scorecard-action': 'docker://ghcr.io/ossf/scorecard-action:v2.4.4 (action.yaml @ v2.4.4)',
};

/** Actions that write a file named by an input and make no folder for it (see the contracts table). */
export const WRITERS_WITHOUT_MKDIR: Readonly<Record<string, string>> = {
  'aquasecurity/trivy-action': 'output',
};

/** Action inputs that name a repository file the action reads. */
export const REPOSITORY_FILE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'github/codeql-action/init': ['config-file'],
  'aquasecurity/trivy-action': ['trivy-config', 'trivyignores'],
  'zaproxy/action-baseline': ['rules_file_name'],
  'actions/setup-node': ['node-version-file'],
};

/** `docker run` options that take a value as the next word. */
export const DOCKER_RUN_VALUE_FLAGS = new Set([
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
export function commands(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n');
}

export const stepsBefore = (scope: StepScope): Json[] => scope.steps.slice(0, scope.index);
/** Every command line the job runs up to and including this step. */
export const linesUpTo = (scope: StepScope): string[] =>
  [...stepsBefore(scope), scope.step].flatMap((step) => commands(text(step.run)));

/** The digest pins of the scanner images (security/gates/images.json), read once per repository. */
export const imagesByRoot = new Map<string, Record<string, { reference?: string }>>();
export function imagesOf(root: string): Record<string, { reference?: string }> {
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
export function sarifWrittenBy(step: Json): string[] {
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
export function checkovOutputs(line: string): { outputs: string[]; paths: string[] | undefined } | undefined {
  if (!/\bcheckov\b/.test(line)) return undefined;
  const outputs = [...line.matchAll(/--output\s+(\S+)/g)].map((match) => match[1] ?? '');
  if (outputs.length === 0) return undefined;
  const pathList = /--output-file-path\s+(\S+)/.exec(line)?.[1];
  return { outputs, paths: pathList?.split(',') };
}

/** The words and path arguments of `node security/sarif-gate.mjs …` calls in a script. */
export function sarifGateCalls(script: string): { args: string[]; paths: string[] }[] {
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
export function runnerPath(path: string): string {
  return path
    .replace(/\$\{\{\s*runner\.temp\s*\}\}|\$\{RUNNER_TEMP\}/g, '$RUNNER_TEMP')
    .replace(/\$\{\{\s*github\.workspace\s*\}\}|\$\{GITHUB_WORKSPACE\}/g, '$GITHUB_WORKSPACE');
}

/** Whether `path` (a file or folder) is at or under one of `written`. */
export function covered(path: string, written: readonly string[]): boolean {
  const normal = posix.normalize(runnerPath(path)).replace(/\/$/, '');
  return written.some((candidate) => {
    const base = posix.normalize(runnerPath(candidate)).replace(/\/$/, '');
    return normal === base || normal.startsWith(`${base}/`);
  });
}

/** The folders a `mkdir` on this line makes (its words up to the end of that command). */
export function madeFolders(line: string): string[] {
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
export function dockerRunImage(line: string): string | undefined {
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
export function dockerRunPinned(scope: StepScope, image: string, builtHere: ReadonlySet<string>): boolean {
  const fromImages = /image=\$\(jq -r \.(\w+)\.reference security\/gates\/images\.json\)/.exec(
    scope.run,
  )?.[1];
  const viaEnv = /^\$\{?(\w+)\}?$/.exec(image)?.[1];
  return (
    PINNED_BY_DIGEST.test(image) ||
    builtHere.has(image) ||
    (viaEnv === 'image' &&
      fromImages !== undefined &&
      PINNED_BY_DIGEST.test(imagesOf(scope.root)[fromImages]?.reference ?? '')) ||
    // The candidate image the build job made and every gate scans, loaded from its artifact.
    (viaEnv !== undefined &&
      /^\$\{\{\s*needs\.\w+\.outputs\.image-ref\s*\}\}$/.test(text(record(scope.step.env)[viaEnv])))
  );
}

export function containerImages({ job, path }: JobScope): Report[] {
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
    .filter(([reference]) => !PINNED_BY_DIGEST.test(reference))
    .map(([reference, at]) => ({ message: `container image ${reference} has no digest`, at }));
}

export function stepImages(scope: StepScope): Report[] {
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
  if (uses.startsWith('docker://') && !PINNED_BY_DIGEST.test(uses)) {
    reports.push({ message: `${label}: ${uses} is not pinned by digest` });
  }
  if (action === 'zaproxy/action-baseline') {
    const dockerName = text(inputs.docker_name);
    const zap = imagesOf(scope.root).zap?.reference;
    if (!PINNED_BY_DIGEST.test(dockerName)) {
      reports.push({ message: `${label}: docker_name is not pinned by digest (default: the stable tag)` });
    } else if (zap !== undefined && dockerName !== zap) {
      // One ZAP pin: the image CI scans with is the one the local runner and the self-test use.
      reports.push({ message: `${label}: docker_name differs from ${IMAGES_FILE}'s zap reference` });
    }
  }
  return reports;
}

export const report = (condition: boolean, message: string): Report[] => (condition ? [{ message }] : []);
/** A step check that concerns the steps of one action only. */
export const ofAction =
  (name: string, check: (scope: StepScope) => Report[]) =>
  (scope: StepScope): Report[] =>
    scope.action === name ? check(scope) : [];
