/**
 * What the image runs (`node dist/main.js`): loads the bundled service (dist/service.js) with the V8
 * code cache the build made for it (dist/service.js.cache), so start-up skips compiling Express, pino and
 * helmet. The cache is an optimisation only: V8 checks it against its own version, flags and the
 * source, and when it does not match (another Node, a changed bundle, a missing or damaged file) it
 * rejects it and compiles the source as usual; the service starts either way, only slower.
 */
import { readFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

export const SERVICE_FILE = 'service.js';
export const CODE_CACHE_FILE = 'service.js.cache';

interface ServiceModule {
  main(proc: NodeJS.Process, distDir: string): Promise<unknown>;
}

function readCodeCache(file: string): Buffer | undefined {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is ours, built from the launcher's own directory
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles the bundle as Node compiles a CommonJS file (same wrapper, same file name, so stack traces
 * name dist/service.js and its real line numbers), with the cache when there is one.
 */
export function compileService(distDir: string, cachedData = readCodeCache(join(distDir, CODE_CACHE_FILE))) {
  const filename = join(distDir, SERVICE_FILE);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is ours, built from the launcher's own directory
  const source = readFileSync(filename, 'utf8');
  const script = new Script(wrap(source), { filename, cachedData });
  return { script, filename, cacheRejected: cachedData !== undefined && script.cachedDataRejected === true };
}

/** Runs the compiled bundle as a module of its own and returns its exports. */
export function loadService(distDir: string, compiled = compileService(distDir)): ServiceModule {
  const serviceModule = { exports: {} as ServiceModule, filename: compiled.filename, id: compiled.filename };
  const moduleWrapper = compiled.script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  moduleWrapper.call(
    serviceModule.exports,
    serviceModule.exports,
    // The require Node's own CommonJS loader would give the file: resolving from the bundle's path.
    createRequire(compiled.filename),
    serviceModule,
    compiled.filename,
    distDir,
  );
  return serviceModule.exports;
}

/* istanbul ignore next -- the entry point; tested end to end by spawning the built service */
if (import.meta.main) {
  void loadService(import.meta.dirname).main(process, import.meta.dirname);
}
