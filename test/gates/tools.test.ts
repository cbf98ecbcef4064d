/**
 * Which copy of a scanner `npm run gates` runs (security/gates/tools.ts), with the real binaries that
 * scripts/ci/install-tools.sh installed where they exist (.ci/run installs them before the tests).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContainerEngine, ProcessResult } from '../../security/gates/engine.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import {
  describeSelection,
  reportsVersion,
  selectTool,
  toolPin,
  toolsDir,
} from '../../security/gates/tools.ts';
import { ROOT, runQuietly } from './gate-sandbox.ts';

const installed = (tool: string) => join(toolsDir(), 'bin', tool);
const hadolint = installed('hadolint');
const whenInstalled = (path: string) => (existsSync(path) ? it : it.skip);

/** A repository root holding only security/tools.json (pins changed by `edit`) and images.json. */
function rootWithPins(edit: (tools: { tools: Record<string, { version: string }> }) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'gates-tools-'));
  mkdirSync(join(root, 'security', 'gates'), { recursive: true });
  const tools = JSON.parse(readFileSync(join(ROOT, 'security/tools.json'), 'utf8')) as {
    tools: Record<string, { version: string }>;
  };
  edit(tools);
  writeFileSync(join(root, 'security/tools.json'), JSON.stringify(tools));
  copyFileSync(join(ROOT, 'security/gates/images.json'), join(root, 'security/gates/images.json'));
  return root;
}

/** An environment in which only the given folder holds tools: no PATH entry has a scanner. */
const onlyTools = (dir: string): NodeJS.ProcessEnv => ({
  SHS_TOOLS_DIR: dir,
  PATH: dirname(process.execPath),
});

// Stands in for an engine: answers `image inspect` and `pull` as told. What is tested is the selection.
const engineAnswering = (inspect: number, pull: number): ContainerEngine => ({
  name: 'podman',
  globalArgs: [],
  exec: (args): Promise<ProcessResult> =>
    Promise.resolve({
      status: args[0] === 'pull' ? pull : inspect,
      stdout: '',
      stderr: args[0] === 'pull' ? 'Error: pinging container registry: no such host\n' : '',
    }),
});

const TRIVY_IMAGE = (
  JSON.parse(readFileSync(join(ROOT, 'security/gates/images.json'), 'utf8')) as Record<
    string,
    { reference: string }
  >
).trivy!.reference;

describe('selectTool', () => {
  const empty = mkdtempSync(join(tmpdir(), 'gates-no-tools-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));
  const trivyWithoutNative = (engine: ContainerEngine | undefined) =>
    selectTool({ root: ROOT, tool: 'trivy', image: TRIVY_IMAGE, engine, env: onlyTools(empty) });

  whenInstalled(hadolint)('uses the installed binary when it reports the pinned version', async () => {
    const selection = await selectTool({ root: ROOT, tool: 'hadolint', engine: undefined });
    expect(selection).toEqual({
      kind: 'native',
      path: hadolint,
      version: toolPin(ROOT, 'hadolint')?.version,
    });
    expect(describeSelection(selection)).toBe('native 2.15.1');
  });

  whenInstalled(hadolint)('never uses a native binary at another version than the pin', async () => {
    // The real hadolint 2.15.1 against a pin of 2.14.0: an installed tool of another release.
    const root = rootWithPins((pins) => {
      pins.tools.hadolint!.version = '2.14.0';
    });
    try {
      const selection = await selectTool({
        root,
        tool: 'hadolint',
        engine: undefined,
        env: onlyTools(dirname(dirname(hadolint))),
      });
      expect(selection.kind).toBe('not run');
      if (selection.kind !== 'not run') return;
      expect(selection.reason).toContain(
        `not the pinned 2.14.0: ${hadolint} reports Haskell Dockerfile Linter 2.15.1`,
      );
      expect(selection.howTo).toMatch(
        /^bash scripts\/ci\/install-tools\.sh hadolint \(installs hadolint 2\.14\.0 into /,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('does not take a tool that does not answer its version command for the pin', async () => {
    // bin/trivy is a folder: executable to access(), but no program, so the version command fails.
    const dir = mkdtempSync(join(tmpdir(), 'gates-broken-tool-'));
    mkdirSync(join(dir, 'bin', 'trivy'), { recursive: true });
    try {
      const selection = await selectTool({
        root: ROOT,
        tool: 'trivy',
        engine: undefined,
        env: onlyTools(dir),
      });
      expect(selection).toMatchObject({ kind: 'not run' });
      expect(selection.kind === 'not run' && selection.reason).toContain(
        `not the pinned v0.70.0: ${join(dir, 'bin', 'trivy')}: `,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the pinned image when the tool is not installed and the engine has the image', async () => {
    const selection = await trivyWithoutNative(engineAnswering(0, 125));
    expect(selection).toEqual({ kind: 'container', image: TRIVY_IMAGE });
    expect(describeSelection(selection)).toBe('container docker.io/aquasec/trivy@sha256:be1190afcb28…');
  });

  it('with neither, does not run, and says how to install the tool or get the image', async () => {
    const selection = await trivyWithoutNative(engineAnswering(125, 125));
    expect(selection.kind).toBe('not run');
    if (selection.kind !== 'not run') return;
    expect(selection.reason).toMatch(
      /^trivy v0\.70\.0 is not installed natively, and docker\.io\/aquasec\/trivy@sha256:\w+ not in the local image store, and the pull failed: .*no such host$/,
    );
    expect(selection.howTo).toContain('bash scripts/ci/install-tools.sh trivy (installs trivy v0.70.0 into');
    expect(selection.howTo).toContain(`podman pull ${TRIVY_IMAGE}`);
    expect(describeSelection(selection)).toBe('not run');
  });

  it('without an engine, names both ways to run it', async () => {
    const selection = await trivyWithoutNative(undefined);
    expect(selection).toMatchObject({
      kind: 'not run',
      reason: 'trivy v0.70.0 is not installed natively, and no container engine answers',
    });
  });
});

describe('a scanner without a pin, and where the tools go', () => {
  it('takes a tool security/tools.json does not pin (ZAP) only from its image, and says so', async () => {
    expect(toolPin(ROOT, 'zap')).toBeUndefined();
    const image = 'ghcr.io/zaproxy/zaproxy:stable@sha256:' + '0'.repeat(64);
    const env = onlyTools(mkdtempSync(join(tmpdir(), 'gates-zap-')));
    await expect(
      selectTool({ root: ROOT, tool: 'zap', image, engine: engineAnswering(0, 1), env }),
    ).resolves.toEqual({
      kind: 'container',
      image,
    });
    const offline = await selectTool({ root: ROOT, tool: 'zap', image, engine: engineAnswering(1, 1), env });
    expect(offline).toMatchObject({ kind: 'not run' });
    expect(offline.kind === 'not run' && offline.reason).toMatch(
      /^ghcr\.io\/zaproxy\/zaproxy:stable@sha256:0+ not in the local image store/,
    );
    expect(offline.kind === 'not run' && offline.howTo).toMatch(
      /^on a machine that reaches the registry: podman pull /,
    );
    rmSync(env.SHS_TOOLS_DIR!, { recursive: true, force: true });
  });

  it('reads no pin where the repository has no security/tools.json', () => {
    expect(toolPin(tmpdir(), 'trivy')).toBeUndefined();
  });

  it('installs into SHS_TOOLS_DIR, else ~/.cache/shs-tools', () => {
    expect(toolsDir({ SHS_TOOLS_DIR: '/opt/tools' })).toBe('/opt/tools');
    expect(toolsDir({ HOME: '/home/dev' })).toBe('/home/dev/.cache/shs-tools');
    expect(toolsDir({})).toBe(join(homedir(), '.cache', 'shs-tools'));
  });
});

describe('reportsVersion: the pin as a whole token of the version output', () => {
  it.each([
    ['Version: 0.70.0', 'v0.70.0', true],
    ['act version 0.2.89', 'v0.2.89', true],
    ['v1.7.12\ninstalled by building from source', 'v1.7.12', true],
    ['Version: 0.70.01', 'v0.70.0', false],
    ['Version: 10.70.0', 'v0.70.0', false],
    ['GitVersion:    v3.0.6-dirty', 'v3.0.6', false],
    ['Version: dev', 'v0.70.0', false],
  ])('%j for %s: %s', (output, version, expected) => {
    expect(reportsVersion(output, version)).toBe(expected);
  });
});

describe('the hadolint gate', () => {
  /** A repository holding only what the gate reads, with `dockerfile` as its Dockerfile. */
  function hadolintRoot(dockerfile: string): string {
    const root = mkdtempSync(join(tmpdir(), 'gates-hadolint-'));
    mkdirSync(join(root, 'security', 'gates'), { recursive: true });
    for (const file of ['.hadolint.yaml', 'security/tools.json', 'security/gates/images.json'])
      copyFileSync(join(ROOT, file), join(root, file));
    copyFileSync(join(ROOT, dockerfile), join(root, 'Dockerfile'));
    return root;
  }
  const gate = GATES.find((candidate) => candidate.name === 'hadolint')!;
  const sarifRules = (root: string) =>
    (
      JSON.parse(readFileSync(join(root, 'reports', 'hadolint.sarif'), 'utf8')) as {
        runs: { tool: { driver: { version: string } }; results: { ruleId: string }[] }[];
      }
    ).runs.flatMap((run) => [`version ${run.tool.driver.version}`, ...run.results.map((r) => r.ruleId)]);

  whenInstalled(hadolint)(
    'runs the installed hadolint with .hadolint.yaml: the project Dockerfile passes, a latest base fails (DL3007)',
    async () => {
      const clean = hadolintRoot('Dockerfile');
      const flawed = hadolintRoot('security/self-test/checkov/root-user.Containerfile');
      try {
        const [passed] = (await runQuietly(clean, [gate])).results;
        expect(passed).toMatchObject({ status: 'passed', findings: 0, via: 'native 2.15.1' });
        expect(sarifRules(clean)).toEqual(['version 2.15.1']);
        const [failed] = (await runQuietly(flawed, [gate])).results;
        expect(failed).toMatchObject({ status: 'failed', findings: 1, via: 'native 2.15.1' });
        expect(sarifRules(flawed)).toEqual(['version 2.15.1', 'DL3007']);
      } finally {
        for (const root of [clean, flawed]) rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it('is not run, with the install command, where hadolint is not installed at its pin', async () => {
    const root = hadolintRoot('Dockerfile');
    const saved = { tools: process.env.SHS_TOOLS_DIR, path: process.env.PATH };
    try {
      Object.assign(process.env, onlyTools(join(root, 'no-tools')));
      const [result] = (await runQuietly(root, [gate], { allowMissing: true })).results;
      expect(result).toMatchObject({ name: 'hadolint', status: 'not run' });
      expect(result?.howTo).toMatch(
        /^bash scripts\/ci\/install-tools\.sh hadolint \(installs hadolint 2\.15\.1/,
      );
    } finally {
      process.env.SHS_TOOLS_DIR = saved.tools;
      if (saved.tools === undefined) delete process.env.SHS_TOOLS_DIR;
      process.env.PATH = saved.path;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
