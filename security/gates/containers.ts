/**
 * The scanner gates: build the image once, then Trivy on that image, Checkov on the repository, and the
 * ZAP baseline against the image running with its production flags. Each scanner runs natively when the
 * version security/tools.json pins is installed (tools.ts), else as its official image pinned by digest
 * (images.json); either way with the same arguments and policy files as CI.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseImages } from '../dockerfile-policy.ts';
import type { ContainerEngine } from './engine.ts';
import { ensureImage, freePort, waitUntilAnswering } from './engine.ts';
import type { GateContext, GateOutcome, Requirement } from './gate.ts';
import { lastLines } from './gate.ts';
import { describeResults, readSarifResults, writeSarif } from './sarif.ts';
import { readServiceDescription, serviceBuildArgs, standInArguments } from './service-description.ts';
import type { Log } from 'sarif';
import type { ToolSelection } from './tools.ts';
import { describeSelection, selectTool, toolsDir } from './tools.ts';
import { IMAGES_FILE, PINNED_BY_DIGEST } from '../constants.ts';
import * as standin from './standin-bases.mjs';
import { execute } from './engine.ts';
import { createHash } from 'node:crypto';

export type ScannerName = 'trivy' | 'checkov' | 'hadolint' | 'zap' | 'osv-scanner' | 'schemathesis';

/** The pinned image of a scanner, or undefined when images.json has none (Checkov: PyPI only; osv-scanner: Go). */
export function pinnedImage(root: string, scanner: ScannerName): string | undefined {
  const images = JSON.parse(readFileSync(join(root, IMAGES_FILE), 'utf8')) as Record<
    string,
    { reference?: string }
  >;
  const reference = images[scanner]?.reference;
  if (reference === undefined) return undefined;
  if (!PINNED_BY_DIGEST.test(reference)) {
    throw new Error(`${IMAGES_FILE}: ${scanner}.reference must be an image pinned by sha256 digest`);
  }
  return reference;
}

/** The pinned scanner image, read from the repository under check (one file, like every policy). */
export function scannerImage(root: string, scanner: ScannerName): string {
  const reference = pinnedImage(root, scanner);
  if (reference === undefined) throw new Error(`${IMAGES_FILE} pins no ${scanner} image`);
  return reference;
}

const selectionKey = (scanner: ScannerName) => `tool:${scanner}`;

const IMAGE_KEY = 'image';
// What the operator is told to run with (docs/container.md): the scan sees the service as deployed.
// The container and scanner tests run with the same hardening, leaving the user to the image's USER.
export const HARDENING_FLAGS = Object.freeze([
  '--read-only',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
]);
const PRODUCTION_FLAGS = [...HARDENING_FLAGS, '--user', '65532:65532'];

function howToGet(engine: ContainerEngine, reference: string): string {
  return `on a machine that reaches the registry: ${engine.name} pull ${reference}; offline: ${engine.name} save it there and ${engine.name} load -i it here`;
}

export const needsEngine: Requirement = (context) =>
  context.engine === undefined
    ? {
        reason: 'no container engine answers (docker info / podman info)',
        howTo: 'install and start Docker, or podman (Debian: apt-get install podman runc)',
      }
    : undefined;

/**
 * The scanner is available natively at its pinned version, or as its pinned image: which one is kept
 * for the gate's run (and its row in the table); neither makes the gate "not run", with how to fix it.
 */
export const needsScanner =
  (scanner: ScannerName): Requirement =>
  async (context) => {
    const selection = await selectTool({
      root: context.root,
      tool: scanner,
      image: pinnedImage(context.root, scanner),
      engine: context.engine,
    });
    context.shared.set(selectionKey(scanner), selection);
    if (selection.kind !== 'not run') return undefined;
    // ZAP has no other way in: its scan add-ons are not on Maven Central (docs/pipeline.md).
    const only =
      scanner === 'zap'
        ? '; ZAP runs only as its image (its scan add-ons are not on Maven Central: docs/pipeline.md, "ZAP from Maven Central"); here the schemathesis gate carries the API side'
        : '';
    return { reason: selection.reason, howTo: `${selection.howTo}${only}` };
  };

function selectionOf(context: GateContext, scanner: ScannerName): ToolSelection {
  const selection = context.shared.get(selectionKey(scanner)) as ToolSelection | undefined;
  if (selection === undefined) throw new Error(`needsScanner('${scanner}') did not run before the gate`);
  return selection;
}

/** A scanner gate's run, its outcome saying which copy ran (the table's `tool` column). */
export const ranWith =
  (scanner: ScannerName, run: (context: GateContext) => Promise<GateOutcome>) =>
  async (context: GateContext): Promise<GateOutcome> => {
    const outcome = await run(context);
    // A gate may add what it ran against (Trivy: which database) after the copy that ran.
    const via = [describeSelection(selectionOf(context, scanner)), outcome.via].filter(Boolean).join(', ');
    return { ...outcome, via };
  };

/** Runs a scanner as selected: natively in the repository, or in its image with the mounts given. */
function runScanner(
  context: GateContext,
  selection: ToolSelection,
  mounts: readonly string[],
  args: readonly string[],
  timeoutMs: number,
) {
  if (selection.kind === 'native') return context.run(selection.path, args, { timeoutMs });
  if (selection.kind !== 'container') throw new Error('a scanner that is not available was run');
  const engine = context.engine as ContainerEngine;
  return engine.exec(['run', '--rm', ...mounts, selection.image, ...args], timeoutMs);
}

export const needsBuiltImage: Requirement = (context) => {
  const build = context.earlier.get(IMAGE_KEY);
  if (build?.status === 'passed' && typeof context.shared.get(IMAGE_KEY) === 'string') return undefined;
  return {
    reason:
      build === undefined
        ? 'the image gate was not selected'
        : `the image gate ${build.status === 'failed' ? 'failed' : 'did not run'}`,
    howTo:
      build === undefined ? 'select the image gate too (--only image,…)' : 'make the image gate pass first',
  };
};

/** The base images the Dockerfile names by digest (stage names and build-arg references aside). */
export function pinnedBaseImages(dockerfile: string): string[] {
  // Once each: two stages may start from the same image (the code cache is made in the runtime image).
  return [
    ...new Set(
      baseImages(dockerfile)
        .map(({ reference }) => reference)
        .filter((reference) => PINNED_BY_DIGEST.test(reference)),
    ),
  ];
}

const STANDIN_KEY = 'standin-bases';

/** The stand-ins the image gate built on, when it did (`--standin-bases`): each reference and image id. */
interface StandinBases {
  readonly runtime: string;
  readonly builder: string;
  readonly ids: Readonly<Record<'runtime' | 'builder', string>>;
}

/**
 * The Dockerfile's bases: with `--standin-bases` (or SHS_STANDIN_BASES=1) the local stand-ins of
 * standin-bases.mjs, made from this machine's Node, npm and busybox (for machines that reach no
 * registry); else its pinned bases, pulled by digest.
 */
export const needsBaseImages: Requirement = async (context) => {
  const engine = context.engine;
  if (engine === undefined) return needsEngine(context);
  if (context.standinBases === true) return needsStandinBases(context, engine);
  for (const reference of pinnedBaseImages(readFileSync(join(context.root, 'Dockerfile'), 'utf8'))) {
    const availability = await ensureImage(engine, reference);
    if (!availability.available) {
      return {
        reason: `base image ${reference} ${availability.reason ?? 'is not available'}`,
        howTo: `${howToGet(engine, reference)}; or, to build on local stand-in bases instead (not the production image): npm run gates -- --standin-bases`,
      };
    }
  }
  return undefined;
};

async function needsStandinBases(context: GateContext, engine: ContainerEngine) {
  const checked = standin.withChecks(engine);
  try {
    // The same lookup and build the container and scanner tests use (this machine's Node, npm, busybox).
    const here = (await standin.standinBasesHere(checked, () => undefined)) as {
      bases?: { runtime: string; builder: string };
      missing?: string;
    };
    if (here.bases === undefined) {
      return {
        reason: `the stand-in bases need a static busybox and npm (${here.missing ?? 'not found'})`,
        howTo: 'apt-get install busybox-static (npm comes with Node)',
      };
    }
    const bases = here.bases;
    const id = async (reference: string) =>
      ((await checked.inspect('image', reference)) as { Id: string }).Id.replace(/^sha256:/, '');
    const standins: StandinBases = {
      ...bases,
      ids: { runtime: await id(bases.runtime), builder: await id(bases.builder) },
    };
    context.shared.set(STANDIN_KEY, standins);
    return undefined;
  } catch (err) {
    return {
      reason: `the stand-in bases could not be made: ${lastLines(err instanceof Error ? err.message : String(err), 3)}`,
      howTo: 'see docs/container.md (podman, runc, busybox-static, the two podman settings)',
    };
  }
}

/** What the image row says about the bases: pinned, or which stand-ins (never to be read as production). */
export function describeBases(standins: StandinBases | undefined): string {
  if (standins === undefined) return 'pinned bases';
  const short = (id: string) => `sha256:${id.slice(0, 12)}…`;
  return `STAND-IN bases, not the production image: runtime ${short(standins.ids.runtime)}, builder ${short(standins.ids.builder)}`;
}

const GATE_IMAGE_REPOSITORY = 'localhost/healthcheck-gates';

/**
 * The tag of a stand-in build of this tree: the git tree of HEAD and the stand-ins' ids, when the
 * working copy has no change git sees. The same tree on the same stand-ins is the same build, so a
 * second run reuses that image; a tree with changes is built afresh and removed at the end.
 */
async function standinTag(context: GateContext, standins: StandinBases): Promise<string | undefined> {
  const tree = await execute('git', ['rev-parse', 'HEAD^{tree}'], { cwd: context.root, timeoutMs: 30_000 });
  const dirty = await execute('git', ['status', '--porcelain', '--untracked-files=normal'], {
    cwd: context.root,
    timeoutMs: 60_000,
  });
  if (tree.status !== 0 || dirty.status !== 0 || dirty.stdout.trim() !== '') return undefined;
  const key = createHash('sha256')
    .update(`${tree.stdout.trim()}\0${standins.ids.runtime}\0${standins.ids.builder}`)
    .digest('hex')
    .slice(0, 16);
  return `${GATE_IMAGE_REPOSITORY}:standin-${key}`;
}

async function engineVersion(engine: ContainerEngine): Promise<string> {
  const answer = await engine.exec(['--version'], 30_000);
  return /(\d+\.\d+\.\d+)/.exec(answer.stdout)?.[1] ?? 'version unknown';
}

export async function buildImage(context: GateContext): Promise<GateOutcome> {
  const engine = context.engine as ContainerEngine;
  const standins = context.shared.get(STANDIN_KEY) as StandinBases | undefined;
  const via = `${engine.name} ${await engineVersion(engine)}, ${describeBases(standins)}`;
  const kept = standins === undefined ? undefined : await standinTag(context, standins);
  if (kept !== undefined && (await engine.exec(['image', 'inspect', kept], 30_000)).status === 0) {
    context.shared.set(IMAGE_KEY, kept);
    return {
      status: 'passed',
      findings: 0,
      via,
      details: [`reused ${kept}, built earlier from this same tree on the same stand-ins`],
    };
  }
  const tag = kept ?? `${GATE_IMAGE_REPOSITORY}:${process.pid}-${Date.now().toString(36)}`;
  // OCI-format images drop HEALTHCHECK; podman keeps it only in the docker format.
  const format = engine.name === 'podman' ? ['--format', 'docker'] : [];
  const buildArgs = Object.entries(serviceBuildArgs(readServiceDescription(context.root))).flatMap(
    ([name, value]) => ['--build-arg', `${name}=${value}`],
  );
  const dockerfile = join(context.root, 'Dockerfile');
  // On stand-ins, `npm ci` in the builder reaches the registry through the host's network (docs/container.md).
  const bases =
    standins === undefined
      ? []
      : [
          '--network',
          'host',
          ...standin.standinBuildArgs(engine.name, standins, readFileSync(dockerfile, 'utf8')),
        ];
  const build = await engine.exec(
    ['build', ...format, ...bases, ...buildArgs, '-f', dockerfile, '-t', tag, context.root],
    900_000,
  );
  if (build.status !== 0) {
    return {
      status: 'failed',
      reason: build.error ?? `build exit code ${build.status}`,
      details: [lastLines(build.stderr)],
      via,
    };
  }
  context.shared.set(IMAGE_KEY, tag);
  if (kept === undefined) {
    context.cleanups.push(async () => {
      await engine.exec(['rmi', '-f', tag]);
    });
  } else {
    // One kept build at a time: an older tree's image is of no further use.
    const listed = await engine.exec([
      'images',
      '--filter',
      `reference=${GATE_IMAGE_REPOSITORY}`,
      '--format',
      '{{.Repository}}:{{.Tag}}',
    ]);
    const stale = listed.stdout
      .split('\n')
      .filter((reference) => reference.startsWith(`${GATE_IMAGE_REPOSITORY}:standin-`) && reference !== tag);
    if (stale.length > 0) await engine.exec(['rmi', ...stale]);
  }
  return { status: 'passed', findings: 0, via };
}

function sarifOutcome(
  exit: { status: number | null; error?: string; stderr: string },
  sarifPath: string,
): GateOutcome {
  const results = readSarifResults(sarifPath);
  if (results === undefined) {
    return {
      status: 'failed',
      reason: exit.error ?? `exit code ${exit.status}, no SARIF written`,
      details: [lastLines(exit.stderr)],
    };
  }
  if (exit.status === 0) return { status: 'passed', findings: results.length };
  return { status: 'failed', findings: results.length, details: describeResults(results) };
}

export async function runTrivy(context: GateContext): Promise<GateOutcome> {
  const engine = context.engine as ContainerEngine;
  const selection = selectionOf(context, 'trivy');
  const image = context.shared.get(IMAGE_KEY) as string;
  const work = mkdtempSync(join(tmpdir(), 'gates-trivy-'));
  try {
    // Trivy reads the image as an archive: the same bytes the build produced, without a daemon socket.
    const saved = await engine.exec(['save', '-o', join(work, 'image.tar'), image], 600_000);
    if (saved.status !== 0)
      return {
        status: 'failed',
        // The engine's own last line in the row itself: the table is all a non-verbose run shows.
        reason: `${engine.name} save ${image} failed: ${saved.error ?? (saved.stderr.trim().split('\n').at(-1) || `exit code ${saved.status}`)}`,
        details: [lastLines(saved.stderr)],
      };
    const planted = context.standinBases === true ? await plantedTrivyDb(context) : undefined;
    if (planted !== undefined && 'status' in planted) return planted;
    const cache = planted?.cache ?? join(homedir(), '.cache', 'trivy');
    mkdirSync(cache, { recursive: true });
    const native = selection.kind === 'native';
    // The planted database: Trivy's cache is that folder, and nothing is downloaded (its checks are
    // Trivy's embedded copy), as in the scanner test.
    const offline =
      planted === undefined
        ? []
        : [
            '--cache-dir',
            native ? cache : '/root/.cache/trivy',
            '--skip-db-update',
            '--skip-java-db-update',
            '--skip-check-update',
          ];
    const database =
      planted === undefined
        ? 'the real vulnerability DB (downloaded into ~/.cache/trivy)'
        : `PLANTED DB, not the real one: ${TRIVY_ADVISORIES} built by ${TRIVY_DB_BUILDER}`;
    const input = native ? join(work, 'image.tar') : '/input/image.tar';
    const sarif = native ? join(context.reportsDir, 'trivy.sarif') : '/reports/trivy.sarif';
    // As CI: one run writes SARIF with every severity (the report), a second fails on HIGH and
    // CRITICAL (the gate). security/trivy/trivy.yaml names the scanners and the ignore file. Natively
    // Trivy's cache is its default, ~/.cache/trivy, the folder mounted into the container.
    const trivy = (args: readonly string[]) =>
      runScanner(
        context,
        selection,
        [
          '--network',
          'host',
          '-v',
          `${context.root}:/src:ro`,
          '-v',
          `${work}:/input:ro`,
          '-v',
          `${context.reportsDir}:/reports`,
          '-v',
          `${cache}:/root/.cache/trivy`,
          '-w',
          '/src',
        ],
        ['image', '--config', 'security/trivy/trivy.yaml', ...offline, '--input', input, ...args],
        900_000,
      );
    const report = await trivy(['--format', 'sarif', '--output', sarif, '--exit-code', '0']);
    const scan =
      report.status === 0
        ? await trivy([
            '--skip-db-update',
            '--severity',
            'HIGH,CRITICAL',
            '--format',
            'table',
            '--exit-code',
            '1',
          ])
        : report;
    if (
      /failed to download|DB error|TOOMANYREQUESTS/i.test(report.stderr) &&
      !existsSync(join(context.reportsDir, 'trivy.sarif'))
    ) {
      return {
        status: 'not run',
        reason: `Trivy could not fetch its vulnerability database: ${lastLines(report.stderr, 1)}`,
        howTo:
          'run once where ghcr.io (or TRIVY_DB_REPOSITORY) is reachable; the database is cached in ~/.cache/trivy',
      };
    }
    return { ...sarifOutcome(scan, join(context.reportsDir, 'trivy.sarif')), via: database };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const TRIVY_ADVISORIES = 'test/scanners/advisories';
export const TRIVY_DB_BUILDER = 'test/scanners/trivy-db';

/**
 * The scanner test's planted Trivy database (docs/pipeline.md, "Scanners run here"), for a machine where
 * Trivy's own cannot be downloaded: built with trivy-db's code by `go run` in test/scanners/trivy-db,
 * once per content of the advisories and the builder, kept under the tools folder.
 */
async function plantedTrivyDb(context: GateContext): Promise<{ cache: string } | GateOutcome> {
  const hash = createHash('sha256');
  const files = (directory: string): string[] =>
    readdirSync(join(context.root, directory), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) =>
        entry.isDirectory() ? files(join(directory, entry.name)) : [join(directory, entry.name)],
      );
  if (!existsSync(join(context.root, TRIVY_ADVISORIES)) || !existsSync(join(context.root, TRIVY_DB_BUILDER)))
    return {
      status: 'not run',
      reason: `no planted Trivy database: ${TRIVY_ADVISORIES} or ${TRIVY_DB_BUILDER} is missing`,
      howTo: 'run without --standin-bases where Trivy can download its database',
    };
  for (const file of [...files(TRIVY_ADVISORIES), ...files(TRIVY_DB_BUILDER)])
    hash.update(`${file}\0`).update(readFileSync(join(context.root, file)));
  const cache = join(toolsDir(), 'trivy-planted', hash.digest('hex').slice(0, 16));
  if (existsSync(join(cache, 'db', 'metadata.json'))) return { cache };
  const built = await execute(
    'go',
    ['run', '.', '-advisories', join(context.root, TRIVY_ADVISORIES), '-output', join(cache, 'db')],
    { cwd: join(context.root, TRIVY_DB_BUILDER), timeoutMs: 900_000 },
  );
  if (built.status !== 0) {
    rmSync(cache, { recursive: true, force: true });
    return {
      status: 'not run',
      reason: `the planted Trivy database did not build: ${built.error ?? lastLines(built.stderr, 2)}`,
      howTo: `install Go (the builder's go.mod), then: cd ${TRIVY_DB_BUILDER} && go run . -advisories ../advisories -output DIR/db`,
    };
  }
  return { cache };
}

/**
 * security-gates.yml's Checkov arguments: `directory` with the project's checkov.yaml, the report on the
 * console and as SARIF in `sarifFile`. The local gate and the scanner test (test/scanners/) both run these.
 */
export function checkovArguments(directory: string, sarifFile: string): string[] {
  return [
    '-d',
    directory,
    '--config-file',
    'checkov.yaml',
    '--output',
    'cli',
    '--output',
    'sarif',
    '--output-file-path',
    // A comma list names one file per --output, by position (checkov runner_registry.py print_reports).
    `console,${sarifFile}`,
  ];
}

export async function runCheckov(context: GateContext): Promise<GateOutcome> {
  const selection = selectionOf(context, 'checkov');
  const out = join(context.reportsDir, 'checkov');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const written =
    selection.kind === 'native' ? join(out, 'results_sarif.sarif') : '/reports/results_sarif.sarif';
  // As CI: the whole repository (-d .) with the project's checkov.yaml.
  const scan = await runScanner(
    context,
    selection,
    ['-v', `${context.root}:/src:ro`, '-v', `${out}:/reports`, '-w', '/src'],
    checkovArguments('.', written),
    900_000,
  );
  if (existsSync(join(out, 'results_sarif.sarif')))
    copyFileSync(join(out, 'results_sarif.sarif'), join(context.reportsDir, 'checkov.sarif'));
  return sarifOutcome(scan, join(context.reportsDir, 'checkov.sarif'));
}

/**
 * security-gates.yml's hadolint arguments: the project's .hadolint.yaml (nothing ignored, every level
 * fails), SARIF on stdout. hadolint has no pinned image here (none could be resolved offline), so it runs
 * natively or not at all.
 */
export const HADOLINT_ARGUMENTS = ['--config', '.hadolint.yaml', '--format', 'sarif', 'Dockerfile'] as const;

export async function runHadolint(context: GateContext): Promise<GateOutcome> {
  const scan = await runScanner(context, selectionOf(context, 'hadolint'), [], HADOLINT_ARGUMENTS, 120_000);
  const sarif = join(context.reportsDir, 'hadolint.sarif');
  rmSync(sarif, { force: true });
  // What is not SARIF (a crash's output) is not written: the gate then fails with "no SARIF written".
  try {
    writeSarif(sarif, JSON.parse(scan.stdout) as Log);
  } catch {
    // stdout held no SARIF
  }
  return sarifOutcome(scan, sarif);
}

export const OSV_SCANNER_GATE = 'security/dependencies/osv-scanner-gate.sh';

/**
 * The lockfile against OSV by the CI job's own script (exit 0 clean, 1 findings, 2 misconfigured, 3 an
 * outage), with the native osv-scanner selected. OSV_LOCAL_DB in the environment reaches the script:
 * a folder holding osv-scalibr/npm/all.zip scans offline against it.
 */
export async function runOsvScanner(context: GateContext): Promise<GateOutcome> {
  const selection = selectionOf(context, 'osv-scanner');
  if (selection.kind !== 'native') throw new Error('osv-scanner has no image: only a native copy runs');
  const sarif = join(context.reportsDir, 'osv-scanner.sarif');
  const scan = await context.run('bash', [OSV_SCANNER_GATE], {
    env: { OSV_SCANNER: selection.path, OSV_SARIF: sarif },
    timeoutMs: 600_000,
  });
  if (scan.status === 3) {
    return {
      status: 'not run',
      reason: `osv-scanner could not check the lockfile (an outage): ${lastLines(scan.stderr, 1)}`,
      howTo:
        'run where api.osv.dev answers; offline, OSV_LOCAL_DB=DIR with DIR/osv-scalibr/npm/all.zip (OSV’s npm export)',
    };
  }
  if (scan.status === 2) return { status: 'failed', reason: lastLines(scan.stdout, 1) };
  const local = process.env.OSV_LOCAL_DB;
  return {
    ...sarifOutcome(scan, sarif),
    via: local ? `offline: OSV_LOCAL_DB=${local}, not api.osv.dev` : 'api.osv.dev',
  };
}

interface ZapReport {
  site?: { alerts?: { pluginid?: string; alert?: string; riskdesc?: string }[] }[];
}

/**
 * Runs one of ZAP's scan scripts in the pinned ZAP image on the host network. ZAP runs as its own user
 * and reads and writes in /zap/wrk (where the actions mount the workspace), so the given repository files
 * are copied into a fresh, world-writable reports/<folder> mounted there.
 */
async function runZapScan(
  context: GateContext,
  engine: ContainerEngine,
  folder: string,
  files: readonly (readonly [from: string, name: string])[],
  scanArguments: readonly string[],
  timeoutMs: number,
) {
  const work = join(context.reportsDir, folder);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  chmodSync(work, 0o777);
  for (const [from, name] of files) copyFileSync(join(context.root, from), join(work, name));
  const scan = await engine.exec(
    [
      'run',
      '--rm',
      '--network',
      'host',
      '-v',
      `${work}:/zap/wrk:rw`,
      scannerImage(context.root, 'zap'),
      ...scanArguments,
    ],
    timeoutMs,
  );
  return { work, scan };
}

export async function runZap(context: GateContext): Promise<GateOutcome> {
  const engine = context.engine as ContainerEngine;
  const service = await startService(context, 'zap');
  if (!('base' in service)) return service;
  const target = `${service.base}/healthcheck`;
  const { work, scan } = await runZapScan(
    context,
    engine,
    'zap',
    [['security/zap/rules.tsv', 'rules.tsv']],
    ['zap-baseline.py', '-t', target, '-c', 'rules.tsv', '-J', 'zap.json', '-r', 'zap.html'],
    900_000,
  );
  let alerts: NonNullable<NonNullable<ZapReport['site']>[number]['alerts']>;
  try {
    const report = JSON.parse(readFileSync(join(work, 'zap.json'), 'utf8')) as ZapReport;
    alerts = (report.site ?? []).flatMap((site) => site.alerts ?? []);
  } catch {
    return {
      status: 'failed',
      reason: scan.error ?? `zap-baseline.py exit code ${scan.status}, no report`,
      details: [lastLines(scan.stdout + scan.stderr)],
    };
  }
  const details = alerts.map(
    (alert) => `${target} ${alert.pluginid ?? '?'} ${alert.alert ?? ''} (${alert.riskdesc ?? ''})`,
  );
  // zap-baseline.py: 0 clean, 1 FAIL, 2 WARN only, 3 error. CI fails on WARN too (fail_action: true).
  if (scan.status === 0) return { status: 'passed', findings: alerts.length };
  return {
    status: 'failed',
    findings: alerts.length,
    reason: scan.status === 3 ? 'zap-baseline.py reported an error (exit 3)' : undefined,
    details,
  };
}

/** Starts the built image with its production flags on a free loopback port; the base URL, or why not. */
async function startService(context: GateContext, name: string): Promise<{ base: string } | GateOutcome> {
  const engine = context.engine as ContainerEngine;
  const image = context.shared.get(IMAGE_KEY) as string;
  const service = readServiceDescription(context.root);
  const port = await freePort();
  const container = `healthcheck-gates-${name}-${process.pid}`;
  const started = await engine.exec([
    'run',
    '-d',
    '--name',
    container,
    ...PRODUCTION_FLAGS,
    '-p',
    `127.0.0.1:${port}:${service.port}`,
    ...standInArguments(service),
    image,
  ]);
  context.cleanups.push(async () => {
    await engine.exec(['rm', '-f', container]);
  });
  if (started.status !== 0)
    return { status: 'failed', reason: 'the image did not start', details: [lastLines(started.stderr)] };
  const base = `http://127.0.0.1:${port}`;
  if (!(await waitUntilAnswering(`${base}/healthcheck`, 30_000))) {
    const logs = await engine.exec(['logs', container]);
    return {
      status: 'failed',
      reason: 'the service did not answer within 30 s',
      details: [lastLines(logs.stdout + logs.stderr)],
    };
  }
  return { base };
}

export const OPENAPI_DESCRIPTION = 'docs/openapi.yaml';
export const ZAP_API_RULES = 'security/zap/api-rules.tsv';

interface ZapAlert {
  pluginid?: string;
  alert?: string;
  riskcode?: string;
  riskdesc?: string;
}

/**
 * The verdict of zap-api-scan.py from its exit code and its JSON report. Exit codes (docker/zap-api-scan.py
 * at v2.17.0): 0 clean, 1 a FAIL rule, 2 WARN only, 3 error; CI fails on WARN too. Alert 100000 is INFO in
 * the rules (every 4xx raises it), so a 5xx (its riskcode 1, "A Server Error response code…") fails here.
 */
export function zapApiVerdict(
  status: number | null,
  alerts: readonly ZapAlert[],
  target: string,
): GateOutcome {
  const details = alerts.map(
    (alert) => `${target} ${alert.pluginid ?? '?'} ${alert.alert ?? ''} (${alert.riskdesc ?? ''})`,
  );
  const serverErrors = alerts.filter((alert) => alert.pluginid === '100000' && alert.riskcode !== '0');
  if (status === 0 && serverErrors.length === 0) return { status: 'passed', findings: alerts.length };
  return {
    status: 'failed',
    findings: alerts.length,
    reason:
      status === 3
        ? 'zap-api-scan.py reported an error (exit 3)'
        : serverErrors.length > 0
          ? 'a crafted request got a 5xx answer (ZAP alert 100000 above informational)'
          : undefined,
    details,
  };
}

/** ZAP's API scan (active rules) from docs/openapi.yaml against the image running as in production. */
export async function runZapApi(context: GateContext): Promise<GateOutcome> {
  const engine = context.engine as ContainerEngine;
  const service = await startService(context, 'zap-api');
  if (!('base' in service)) return service;
  const { work, scan } = await runZapScan(
    context,
    engine,
    'zap-api',
    [
      [ZAP_API_RULES, 'api-rules.tsv'],
      [OPENAPI_DESCRIPTION, 'openapi.yaml'],
    ],
    zapApiScanArguments(service.base),
    1_800_000,
  );
  let alerts: ZapAlert[];
  try {
    const report = JSON.parse(readFileSync(join(work, 'zap-api.json'), 'utf8')) as {
      site?: { alerts?: ZapAlert[] }[];
    };
    alerts = (report.site ?? []).flatMap((site) => site.alerts ?? []);
  } catch {
    return {
      status: 'failed',
      reason: scan.error ?? `zap-api-scan.py exit code ${scan.status}, no report`,
      details: [lastLines(scan.stdout + scan.stderr)],
    };
  }
  return zapApiVerdict(scan.status, alerts, service.base);
}

/**
 * The one command line of the API scan, shared with CI (security-gates.yml) and its test: the
 * description and the rules are files in /zap/wrk; -O points the description's server at the container.
 */
export function zapApiScanArguments(base: string): string[] {
  return [
    'zap-api-scan.py',
    '-t',
    'openapi.yaml',
    '-f',
    'openapi',
    '-O',
    base,
    '-c',
    'api-rules.tsv',
    '-J',
    'zap-api.json',
    '-r',
    'zap-api.html',
  ];
}

/**
 * schemathesis's command line, shared with the scanner test (test/scanners/run.mjs): the project's
 * schemathesis.toml, the API description, the running service, a HAR report. It runs in a scratch
 * folder, where schemathesis keeps its replay cache, so no earlier run's failures are replayed.
 */
export function schemathesisArguments(
  root: string,
  description: string,
  url: string,
  reportDir: string,
): string[] {
  return [
    '--config-file',
    join(root, 'schemathesis.toml'),
    'run',
    join(root, description),
    '--url',
    url,
    '--report',
    'har',
    '--report-dir',
    reportDir,
    // Every test case of each scenario, past its first failure: without it a run stops an operation at
    // the first failure it meets, and which one that is depends on the seed. Seen in CI: a run whose
    // seed met ST201 and ST204 first never reached the self-test variant's ST105 (its HTML answer).
    '--continue-on-failure',
  ];
}

/** The operations an OpenAPI description in YAML lists (a method key under a path). */
export function describedOperations(yaml: string): number {
  return (yaml.match(/^ {4}(get|head|options|post|put|patch|delete):$/gm) ?? []).length;
}

/**
 * The verdict of a schemathesis run: every described operation tested, exit 0; a failure names each
 * check that failed (ST…).
 */
export function schemathesisVerdict(
  result: { status: number | null; stdout: string; error?: string },
  operations: number,
): GateOutcome {
  const failures = [...new Set([...result.stdout.matchAll(/^- (ST\d+) .*$/gm)].map((match) => match[0]))];
  const tested = Number(/Tested: (\d+)/.exec(result.stdout)?.[1] ?? Number.NaN);
  if (result.status === 0 && tested === operations && operations > 0)
    return { status: 'passed', findings: 0, details: [`${tested} of ${operations} operations tested`] };
  return {
    status: 'failed',
    findings: failures.length,
    reason:
      result.error ??
      (failures.length > 0
        ? undefined
        : `exit code ${result.status}, ${Number.isNaN(tested) ? 'no' : tested} of ${operations} operations tested`),
    details: failures.length > 0 ? failures : [lastLines(result.stdout)],
  };
}

/** schemathesis from docs/openapi.yaml against the image running as in production: ZAP's API side here. */
export async function runSchemathesis(context: GateContext): Promise<GateOutcome> {
  const selection = selectionOf(context, 'schemathesis');
  if (selection.kind !== 'native') throw new Error('schemathesis has no image: only a native copy runs');
  const service = await startService(context, 'schemathesis');
  if (!('base' in service)) return service;
  const work = mkdtempSync(join(tmpdir(), 'gates-schemathesis-'));
  const reportDir = join(context.reportsDir, 'schemathesis');
  rmSync(reportDir, { recursive: true, force: true });
  try {
    const result = await execute(
      selection.path,
      schemathesisArguments(context.root, OPENAPI_DESCRIPTION, service.base, reportDir),
      { cwd: work, timeoutMs: 900_000, env: process.env },
    );
    return schemathesisVerdict(
      result,
      describedOperations(readFileSync(join(context.root, OPENAPI_DESCRIPTION), 'utf8')),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
