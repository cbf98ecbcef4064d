/**
 * The project's Dockerfile policy: what a security reviewer checks in a Dockerfile, as code.
 * `checkDockerfile(text)` returns one finding per breach, each with a stable rule id, so the jest
 * policy test, the local gate runner and CI can all apply the same rules to the same file.
 *
 * Only what no tool checks is here. hadolint 2.15.1 (.hadolint.yaml, its own gate) and Checkov
 * (checkov.yaml) check the rest: ADD (DL3020, CKV_DOCKER_4), `latest` or no tag (DL3007, DL3006,
 * CKV_DOCKER_7, which also fails a FROM through an ARG), repeated stage names (DL3024; Checkov's
 * CKV_DOCKER_11 reads only a lowercase ` as `), secret-like ARG or ENV names (DL3064). Each check
 * handed over has its fixture in security/self-test/dockerfile/, named by its old rule id, which
 * test/pipeline/dockerfile-tools.test.ts runs through the real tools.
 */
import { DockerfileParser, type Copy, type Flag, type Instruction } from 'dockerfile-ast';
import { PINNED_BY_DIGEST } from './constants.ts';

export const DOCKERFILE_RULES = Object.freeze({
  'user-numeric-nonroot':
    'The final stage sets USER to a numeric, non-root uid (and gid): a runtime can only verify a number, and root in a container is root on an escape.',
  'healthcheck-exec-form':
    'The final stage declares a HEALTHCHECK in exec form (JSON array): minimal images have no shell, and an orchestrator needs a probe.',
  'base-pinned-by-digest':
    'Every base image (FROM, COPY --from, and the ARG defaults they use) is pinned by sha256 digest: a tag can be moved to other content.',
  'no-curl-wget':
    'No curl or wget: downloading during a build bypasses the lockfile and the digest pins, and in the image they are tools for an attacker.',
  'cmd-exec-form-no-npm':
    'The final stage starts the service with CMD/ENTRYPOINT in exec form, never through npm, npx, yarn, pnpm or a shell: the service must receive SIGTERM itself.',
  'syntax-pinned-by-digest':
    'A `# syntax=` frontend is pinned by sha256 digest: BuildKit pulls it when it builds, and a tag can be moved.',
} as const);

export type DockerfileRuleId = keyof typeof DOCKERFILE_RULES;

export interface DockerfileFinding {
  readonly rule: DockerfileRuleId;
  /** 1-based line of the instruction at fault (the last line of the file when something is missing). */
  readonly line: number;
  readonly message: string;
}

interface Stage {
  readonly name: string | undefined;
  readonly from: Instruction;
  readonly instructions: Instruction[];
}

const PACKAGE_RUNNERS = /(^|\/)(npm|npx|yarn|pnpm|corepack)$/;
const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;
const DOWNLOADERS = /\b(curl|wget)\b/i;
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

const lineOf = (instruction: Instruction): number => instruction.getRange().start.line + 1;

/** Replaces `$NAME` / `${NAME}` by the global ARG defaults; `undefined` when a variable has none. */
function expand(text: string, globals: ReadonlyMap<string, string>): string | undefined {
  let unresolved = false;
  const expanded = text.replace(VARIABLE, (_match, braced: string | undefined, bare: string | undefined) => {
    const value = globals.get(braced ?? bare ?? '');
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : expanded;
}

/** The exec-form argument list of a JSON instruction's text, or `undefined` for shell form. */
function execForm(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function splitStages(instructions: readonly Instruction[]): { preamble: Instruction[]; stages: Stage[] } {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((argument) => argument.getValue());
      const asIndex = args.findIndex((value) => value.toUpperCase() === 'AS');
      stages.push({
        name: asIndex === -1 ? undefined : args[asIndex + 1]?.toLowerCase(),
        from: instruction,
        instructions: [],
      });
    } else {
      (stages.at(-1)?.instructions ?? preamble).push(instruction);
    }
  }
  return { preamble, stages };
}

export interface BaseImage {
  /** The image as written after FROM (build-arg references unexpanded). */
  readonly reference: string;
  /** The stage name after AS, if any. */
  readonly stage: string | undefined;
}

/**
 * The FROM lines of a Dockerfile, read by dockerfile-ast like every other check here: the local gate
 * runner pulls the pinned bases from them, the container test finds the runtime base by its stage.
 */
export function baseImages(text: string): BaseImage[] {
  return DockerfileParser.parse(text)
    .getFROMs()
    .flatMap((from) => {
      const reference = from.getImage();
      return reference === null ? [] : [{ reference, stage: from.getBuildStage() ?? undefined }];
    });
}

/** Every breach of {@link DOCKERFILE_RULES} in a Dockerfile's text; empty when it complies. */
export function checkDockerfile(text: string): DockerfileFinding[] {
  const dockerfile = DockerfileParser.parse(text);
  const findings: DockerfileFinding[] = [];
  const report = (rule: DockerfileRuleId, line: number, message: string) =>
    findings.push({ rule, line, message });
  const lastLine = text.split('\n').length;

  const globals = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value !== null && value !== undefined) globals.set(property.getName(), value);
  }

  const { stages } = splitStages(dockerfile.getInstructions());
  if (stages.length === 0) {
    report('base-pinned-by-digest', 1, 'no FROM instruction');
    return findings;
  }

  // Base images, and the earlier stages a later FROM or COPY --from may name instead.
  const seenStages = new Set<string>();
  const checkReference = (raw: string, line: number, where: string) => {
    const reference = expand(raw, globals);
    if (reference === undefined) {
      report(
        'base-pinned-by-digest',
        line,
        `${where} ${raw} uses a build arg with no default: it cannot be verified`,
      );
      return;
    }
    if (seenStages.has(reference.toLowerCase()) || reference === 'scratch') return;
    if (!PINNED_BY_DIGEST.test(reference)) {
      report('base-pinned-by-digest', line, `${where} ${reference} is not pinned by sha256 digest`);
    }
  };
  for (const stage of stages) {
    const image = stage.from
      .getArguments()
      .map((argument) => argument.getValue())
      .find((value) => !value.startsWith('--'));
    checkReference(image ?? '', lineOf(stage.from), 'FROM');
    if (stage.name !== undefined) seenStages.add(stage.name);
    for (const instruction of stage.instructions) {
      if (instruction.getKeyword() !== 'COPY') continue;
      const from: Flag | null = (instruction as Copy).getFromFlag();
      const value = from?.getValue();
      if (value && !/^\d+$/.test(value)) checkReference(value, lineOf(instruction), 'COPY --from=');
    }
  }
  const syntax = /^#\s*syntax\s*=\s*(\S+)/im.exec(text.split('\n').find((line) => !/^\s*$/.test(line)) ?? '');
  if (syntax?.[1] !== undefined && !PINNED_BY_DIGEST.test(syntax[1])) {
    report('syntax-pinned-by-digest', 1, `# syntax=${syntax[1]} is not pinned by sha256 digest`);
  }

  // Instructions anywhere in the file.
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (['RUN', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'SHELL', 'ONBUILD'].includes(keyword)) {
      const content = instruction.getRawArgumentsContent() ?? '';
      if (DOWNLOADERS.test(content)) {
        report('no-curl-wget', lineOf(instruction), `${keyword} uses ${DOWNLOADERS.exec(content)?.[1]}`);
      }
    }
  }

  // The final stage: what actually runs.
  const final = stages.at(-1) as Stage;
  const last = (keyword: string) => final.instructions.filter((i) => i.getKeyword() === keyword).at(-1);

  const user = last('USER');
  const userValue = user?.getArgumentsContent()?.trim() ?? '';
  const userIds = userValue.split(':');
  const numeric = userIds.length <= 2 && userIds.every((id) => /^\d{1,10}$/.test(id));
  if (user === undefined) {
    report(
      'user-numeric-nonroot',
      lastLine,
      'the final stage sets no USER (the base image user is not checked)',
    );
  } else if (!numeric) {
    report('user-numeric-nonroot', lineOf(user), `USER ${userValue} is not a numeric uid[:gid]`);
  } else if (userIds.some((id) => Number(id) === 0)) {
    report('user-numeric-nonroot', lineOf(user), `USER ${userValue} is root`);
  }

  const healthcheck = last('HEALTHCHECK');
  const probe = /^CMD\s+([\s\S]*)$/i.exec(healthcheck?.getArgumentsContent()?.trim() ?? '');
  if (healthcheck === undefined) {
    report('healthcheck-exec-form', lastLine, 'the final stage has no HEALTHCHECK');
  } else if (probe === null) {
    report('healthcheck-exec-form', lineOf(healthcheck), 'HEALTHCHECK NONE disables the probe');
  } else if (execForm(probe[1] ?? '') === undefined) {
    report('healthcheck-exec-form', lineOf(healthcheck), 'HEALTHCHECK CMD is in shell form (needs /bin/sh)');
  }

  const commands = ['ENTRYPOINT', 'CMD'].flatMap((keyword) => {
    const instruction = last(keyword);
    return instruction === undefined ? [] : [instruction];
  });
  if (commands.length === 0) {
    report('cmd-exec-form-no-npm', lastLine, 'the final stage sets neither CMD nor ENTRYPOINT');
  }
  for (const instruction of commands) {
    const argv = execForm(instruction.getArgumentsContent() ?? '');
    if (argv === undefined) {
      report('cmd-exec-form-no-npm', lineOf(instruction), `${instruction.getKeyword()} is in shell form`);
    } else if (argv.some((word) => PACKAGE_RUNNERS.test(word))) {
      report(
        'cmd-exec-form-no-npm',
        lineOf(instruction),
        `${instruction.getKeyword()} runs a package manager`,
      );
    } else if (SHELLS.test(argv[0] ?? '')) {
      report('cmd-exec-form-no-npm', lineOf(instruction), `${instruction.getKeyword()} runs a shell`);
    }
  }

  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

/** One line per finding, as `file:line rule-id message`, for terminals and CI logs. */
export function formatFindings(file: string, findings: readonly DockerfileFinding[]): string {
  return findings.map((finding) => `${file}:${finding.line} ${finding.rule} ${finding.message}`).join('\n');
}
