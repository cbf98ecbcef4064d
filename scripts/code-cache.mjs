// The V8 code cache of the bundled service (dist/service.js.cache), made by the Node that will run it.
//
//   node scripts/code-cache.mjs make <dist> <cache file>    start the service, warm it, write the cache
//   node scripts/code-cache.mjs verify <dist> <cache file>  exit 1 if this Node rejects the cache
//
// V8 caches only the functions compiled so far, so the service is started on a loopback port and
// answers one request of every kind first (the start-up path alone leaves the request path out). The
// cache is tied to the V8 version and flags of the Node that made it: the image makes it in a stage
// built FROM the runtime image, as the runtime user (Dockerfile), and the build fails here, at
// `verify`, in a fresh process, if that Node would reject what it just made.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const [mode, distArg, cacheArg] = process.argv.slice(2);
if (!['make', 'verify'].includes(mode) || !distArg || !cacheArg) {
  console.error('usage: node scripts/code-cache.mjs make|verify <dist directory> <cache file>');
  process.exit(2);
}
const distDir = resolve(distArg);
const cacheFile = resolve(cacheArg);
// The launcher's own loader, so the cache is made for exactly the wrapper and file name it compiles.
const { compileService, loadService } = createRequire(import.meta.url)(join(distDir, 'main.js'));

function send(port, method, path, { headers = {}, body } = {}) {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode));
    });
    req.once('error', fail);
    req.end(body);
  });
}

// The service refuses port 0 (config.ts), so a free loopback port is found first.
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

if (mode === 'verify') {
  const { cacheRejected } = compileService(distDir, readFileSync(cacheFile));
  if (cacheRejected) {
    console.error(`code cache rejected by Node ${process.version} (V8 ${process.versions.v8}): ${cacheFile}`);
    process.exit(1);
  }
  console.log(`code cache accepted by Node ${process.version}: ${cacheFile}`);
} else {
  const compiled = compileService(distDir, undefined);
  const service = loadService(distDir, compiled);
  // As in production, with the stand-ins of the settings src/service.json marks required (the bundle
  // exports them): a setting required in production then needs no line here.
  const serviceProcess = {
    env: {
      ...service.warmUpEnvironment(),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stderr: process.stderr,
    on: () => serviceProcess,
    exit: (code) => {
      throw new Error(`the service exited with ${code} while warming up`);
    },
  };
  const running = await service.main(serviceProcess, distDir);
  const json = { 'Content-Type': 'application/json' };
  const warmUp = [
    ['GET', '/healthcheck', {}],
    ['HEAD', '/healthcheck', {}],
    ['GET', '/healthcheck?probe=1', { headers: { 'X-Request-Id': 'warm-up' } }],
    ['OPTIONS', '/healthcheck', {}],
    ['POST', '/healthcheck', { headers: json, body: '{"a":1}' }],
    ['POST', '/healthcheck', { headers: json, body: '{' }],
    ['GET', '/missing', {}],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [method, path, options] of warmUp) await send(running.port, method, path, options);
  }
  await running.shutdown();
  writeFileSync(cacheFile, compiled.script.createCachedData());
  process.exit(0);
}
