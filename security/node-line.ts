/**
 * The project's Node line lives in one place: package.json's `devDependencies.node`, an exact version of
 * the npm `node` package, which installs that Node into node_modules/.bin for every npm script, `npx`
 * and the git hooks (docs/decisions.md). Everything else that names a Node line must agree with it, and
 * this check says where one does not:
 * - the lockfile records the same version (what `npm ci` installs);
 * - `engines.node` is that line (setup-node's `node-version-file: package.json` reads it);
 * - `allowScripts` lets the `node` package's preinstall run, by name so a Dependabot bump stays allowed;
 * - both Dockerfile bases are that line: the image ships the line the tests ran on (its FROM lines must
 *   stay literal for Dependabot, so they cannot read package.json);
 * - Dependabot updates the pin (npm) and the bases (docker) within the line, never across it: a new line
 *   moves all of them in one reviewed change, or the bases and the pin would drift apart in two PRs;
 * - every setup-node step reads package.json rather than a version of its own.
 * Only node built-ins, `yaml` and `dockerfile-ast` are imported.
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
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, unknown>;
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

/** The pinned Node version (e.g. `24.21.0`) from package.json's text. */
export function pinnedNode(packageJson: string): string | undefined {
  const pinned = (JSON.parse(packageJson) as Manifest).devDependencies?.node;
  return pinned !== undefined && EXACT_VERSION.test(pinned) ? pinned : undefined;
}

/** The Node line of every FROM that names an official Node image, with its line number. */
export function dockerfileNodeLines(dockerfile: string): { image: string; line: string; at: number }[] {
  const found: { image: string; line: string; at: number }[] = [];
  for (const from of DockerfileParser.parse(dockerfile).getFROMs()) {
    const name = from.getImageName() ?? '';
    const registry = from.getRegistry();
    const image = registry === null ? name : `${registry}/${name}`;
    const tag = from.getImageTag() ?? '';
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
  if (pinned === undefined) {
    return [
      `package.json: devDependencies.node must be an exact version (x.y.z), found ${String(manifest.devDependencies?.node)}`,
    ];
  }
  const line = pinned.split('.')[0] ?? '';

  const locked = (
    JSON.parse(files.packageLock) as {
      packages?: Record<string, { version?: string; integrity?: string; dev?: boolean }>;
    }
  ).packages?.['node_modules/node'];
  if (locked?.version !== pinned || locked.integrity === undefined || locked.dev !== true) {
    problems.push(
      `package-lock.json: node_modules/node must be the dev dependency node@${pinned} with an integrity, found ${JSON.stringify(locked ?? null)}`,
    );
  }

  const engines = `>=${line} <${String(Number(line) + 1)}`;
  if (manifest.engines?.node !== engines) {
    problems.push(
      `package.json: engines.node must be "${engines}" (the pinned line), found ${String(manifest.engines?.node)}`,
    );
  }
  if (manifest.allowScripts?.node !== true) {
    problems.push(
      'package.json: allowScripts must allow "node" by name (its preinstall makes node_modules/.bin/node)',
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
    const holdsLine = (update.ignore ?? []).some(
      (rule) =>
        rule['dependency-name'] === 'node' &&
        (rule['update-types'] ?? []).includes('version-update:semver-major'),
    );
    if (!holdsLine)
      problems.push(`dependabot.yml: the ${ecosystem} updates must ignore semver-major updates of node`);
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
