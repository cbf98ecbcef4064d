/**
 * The launcher (src/launcher.ts, dist/main.js in the image) loads the bundle with its V8 code cache.
 * The cache must only ever be an optimisation: a cache V8 rejects, or none at all, still loads the
 * same module. Run here on a stand-in bundle; test/e2e/bundle.test.ts runs the real one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_CACHE_FILE, compileService, loadService, SERVICE_FILE } from '../../src/launcher.ts';

let distDir: string;
const SOURCE = `exports.main = async (proc, dir) => ({ answer: 42, dir, isMain: require.main === module, file: __filename });\n`;

beforeEach(() => {
  distDir = mkdtempSync(join(tmpdir(), 'launcher-'));
  writeFileSync(join(distDir, SERVICE_FILE), SOURCE);
});
afterEach(() => rmSync(distDir, { recursive: true, force: true }));

describe('the launcher', () => {
  it('loads the bundle as a module of its own, never as the main module', async () => {
    const service = loadService(distDir);
    await expect(service.main(process, distDir)).resolves.toEqual({
      answer: 42,
      dir: distDir,
      isMain: false,
      file: join(distDir, SERVICE_FILE),
    });
  });

  it('works without a cache file (nothing rejected, nothing used)', () => {
    expect(compileService(distDir).cacheRejected).toBe(false);
  });

  it('uses a cache made from the same source', () => {
    const cache = compileService(distDir).script.createCachedData();
    writeFileSync(join(distDir, CODE_CACHE_FILE), cache);
    const compiled = compileService(distDir);
    expect(compiled.cacheRejected).toBe(false);
    expect(typeof loadService(distDir, compiled).main).toBe('function');
  });

  it.each([
    ['damaged', Buffer.from('not a V8 code cache at all')],
    ['truncated', Buffer.alloc(8)],
  ])('rejects a %s cache and still loads the bundle, compiled from source', async (_what, cache) => {
    writeFileSync(join(distDir, CODE_CACHE_FILE), cache);
    const compiled = compileService(distDir);
    expect(compiled.cacheRejected).toBe(true);
    await expect(loadService(distDir, compiled).main(process, distDir)).resolves.toMatchObject({
      answer: 42,
    });
  });

  it('rejects the cache of another bundle (a rebuilt service.js beside an old cache)', () => {
    writeFileSync(join(distDir, CODE_CACHE_FILE), compileService(distDir).script.createCachedData());
    writeFileSync(join(distDir, SERVICE_FILE), `${SOURCE}exports.changed = true;\n`);
    expect(compileService(distDir).cacheRejected).toBe(true);
  });
});
