import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { preProcessFile } from 'typescript';
import { probe } from '../../src/healthprobe.ts';

const SOURCE = resolve(import.meta.dirname, '../../src');

/** Every module a source file loads, its own imports followed: relative ones as files, the rest by name. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    // Data (src/service.json): esbuild inlines it, and it imports nothing.
    if (file.endsWith('.json')) return;
    for (const { fileName } of preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) visit(resolve(dirname(file), fileName));
      else packages.add(fileName);
    }
  };
  visit(entry);
  return { files: [...files], packages: [...packages] };
}

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/healthcheck` });
    }),
  );
}

describe('probe', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('is healthy on a 200', async () => {
    const { server, url } = await serve((_req, res) => res.end('{}'));
    servers.push(server);
    await expect(probe(url)).resolves.toBe(true);
  });

  it('is unhealthy on a 503 (draining)', async () => {
    const { server, url } = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    servers.push(server);
    await expect(probe(url)).resolves.toBe(false);
  });

  it('is unhealthy when nothing listens', async () => {
    const { server, url } = await serve(() => undefined);
    server.close();
    await expect(probe(url)).resolves.toBe(false);
  });

  it('is unhealthy when the answer does not come within the timeout', async () => {
    const { server, url } = await serve(() => undefined);
    servers.push(server);
    await expect(probe(url, 100)).resolves.toBe(false);
  });
});

describe('what the probe loads', () => {
  // The HEALTHCHECK starts it every 30 s inside the service's memory limit: a probe that loads the web
  // stack costs ~2.4x the wall time and ~16 MB more peak RSS (bench/RESULTS.md).
  it('imports Node built-ins only, through none of the web-stack modules', () => {
    const { files, packages } = importGraph(join(SOURCE, 'healthprobe.ts'));
    expect(packages.filter((name) => !name.startsWith('node:'))).toEqual([]);
    expect(files.map((file) => file.slice(SOURCE.length + 1)).sort()).toEqual([
      'build-info.ts',
      'config.ts',
      'health-route.ts',
      'healthprobe.ts',
      // Import nothing: the limits, the service description and its reader.
      'limits.ts',
      'service.json',
      'settings.ts',
    ]);
  });

  it('sees a package imported two modules away', () => {
    const { packages } = importGraph(join(SOURCE, 'main.ts'));
    expect(packages).toEqual(expect.arrayContaining(['express', 'helmet', 'pino']));
  });
});
