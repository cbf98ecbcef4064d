/**
 * Which copy of a scanner a gate runs: the native tool when the version security/tools.json pins is
 * installed (in SHS_TOOLS_DIR/bin, where scripts/ci/install-tools.sh puts it, or on PATH), else the
 * pinned container image (security/gates/images.json), else nothing — and then the gate says it did not
 * run and how to make it run. A native tool at another version is never used: its findings would be
 * another release's, not the ones CI gates on.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ContainerEngine } from './engine.ts';
import { ensureImage, execute } from './engine.ts';
import { TOOLS_FILE } from '../constants.ts';

export const INSTALLER = 'scripts/ci/install-tools.sh';

interface ToolEntry {
  readonly version: string;
  readonly versionArgs?: readonly string[];
  readonly source: { readonly type: string; readonly executable?: string };
}

export interface ToolPin {
  readonly name: string;
  readonly version: string;
  readonly versionArgs: readonly string[];
  /** The command's name on PATH (a PyPI tool's executable may differ from the tool's name). */
  readonly executable: string;
}

/** The pin of `tool` in the repository's security/tools.json, or undefined when it pins none. */
export function toolPin(root: string, tool: string): ToolPin | undefined {
  const path = join(root, TOOLS_FILE);
  if (!existsSync(path)) return undefined;
  const entry = (JSON.parse(readFileSync(path, 'utf8')) as { tools?: Record<string, ToolEntry> }).tools?.[
    tool
  ];
  if (entry === undefined) return undefined;
  return {
    name: tool,
    version: entry.version,
    versionArgs: entry.versionArgs ?? ['--version'],
    executable: entry.source.executable ?? tool,
  };
}

/** The folder install-tools.sh installs into (its default: ~/.cache/shs-tools). */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHS_TOOLS_DIR ?? join(env.HOME ?? homedir(), '.cache', 'shs-tools');
}

/**
 * Whether a tool's version output names `version` as a whole token, `v` optional: 0.70.0 is not met by
 * 0.70.01, 10.70.0 or 0.70.0-rc1. The same test as install-tools.sh's `reports_pin`.
 */
export function reportsVersion(output: string, version: string): boolean {
  const bare = version.replace(/^v/, '');
  return [...output.matchAll(/(?<![0-9.])v?(\d+\.\d+\.\d+|\d+\.\d+)(?![0-9A-Za-z.-])/g)].some(
    (match) => match[1] === bare,
  );
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where a native copy may be: the installer's bin/ first, then each PATH entry. */
export function candidatePaths(pin: ToolPin, env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(toolsDir(env), 'bin'), ...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  const names = [...new Set([pin.name, pin.executable])];
  return [...new Set(dirs.flatMap((dir) => names.map((name) => join(dir, name))))].filter(isExecutable);
}

export type ToolSelection =
  | { readonly kind: 'native'; readonly path: string; readonly version: string }
  | { readonly kind: 'container'; readonly image: string }
  | { readonly kind: 'not run'; readonly reason: string; readonly howTo: string };

/** What the summary table says about the copy a gate ran. */
export function describeSelection(selection: ToolSelection): string {
  if (selection.kind === 'native') return `native ${selection.version}`;
  if (selection.kind === 'container') {
    // The digest shortened: the table is read by a person; the full reference is in images.json.
    return `container ${selection.image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, '@sha256:$1…')}`;
  }
  return 'not run';
}

export interface SelectionInputs {
  readonly root: string;
  readonly tool: string;
  /** The pinned image, when the tool has one in images.json. */
  readonly image?: string;
  readonly engine: ContainerEngine | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

/** The native tool at the pinned version, else the pinned image if the engine has it, else why not. */
export async function selectTool(inputs: SelectionInputs): Promise<ToolSelection> {
  const env = inputs.env ?? process.env;
  const pin = toolPin(inputs.root, inputs.tool);
  const seen: string[] = [];
  if (pin !== undefined) {
    for (const path of candidatePaths(pin, env)) {
      // Generous: a Python tool's start (Checkov imports hundreds of modules) is slow on a loaded machine.
      const answer = await execute(path, pin.versionArgs, { timeoutMs: 300_000, env });
      const output = `${answer.stdout}\n${answer.stderr}`;
      if (answer.error === undefined && reportsVersion(output, pin.version)) {
        return { kind: 'native', path, version: pin.version };
      }
      seen.push(
        answer.error === undefined
          ? `${path} reports ${output.trim().split('\n')[0]?.slice(0, 80) || 'nothing'}`
          : `${path}: ${answer.error}`,
      );
    }
  }
  const install =
    pin === undefined
      ? undefined
      : `bash ${INSTALLER} ${inputs.tool} (installs ${inputs.tool} ${pin.version} into ${join(toolsDir(env), 'bin')})`;
  const wrong = seen.length > 0 ? `; not the pinned ${pin?.version}: ${seen.join('; ')}` : '';
  // A tool with no pin (ZAP) has only its image.
  const notNative =
    pin === undefined ? '' : `${inputs.tool} ${pin.version} is not installed natively${wrong}, and `;
  if (inputs.image !== undefined && inputs.engine !== undefined) {
    const availability = await ensureImage(inputs.engine, inputs.image);
    if (availability.available) return { kind: 'container', image: inputs.image };
    return {
      kind: 'not run',
      reason: `${notNative}${inputs.image} ${availability.reason ?? 'is not available'}`,
      howTo: [
        install,
        `${install === undefined ? '' : 'or '}on a machine that reaches the registry: ${inputs.engine.name} pull ${inputs.image}; offline: ${inputs.engine.name} save it there and ${inputs.engine.name} load -i it here`,
      ]
        .filter(Boolean)
        .join('; '),
    };
  }
  return {
    kind: 'not run',
    reason: `${notNative}${inputs.image === undefined ? 'it has no pinned image' : 'no container engine answers'}`,
    howTo: [
      install,
      inputs.image === undefined ? undefined : 'or install and start Docker, or podman, for its pinned image',
    ]
      .filter(Boolean)
      .join('; '),
  };
}
