import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probe } from '../../src/healthprobe';

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
