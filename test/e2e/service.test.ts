/**
 * The built service (dist/) as a real process, configured by real environment variables, spoken to
 * over real sockets. `npm test` builds before it runs Jest.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_DESCRIPTION } from '../../src/config.ts';
import { freePort, httpRequest } from '../support/http.ts';
import {
  assertBuilt,
  ROOT,
  SERVICE_ENTRY as MAIN,
  startService as startBuiltService,
  type ServiceProcess,
} from '../support/service.ts';

const PROBE = join(ROOT, 'dist', 'healthprobe.js');
const SEED = { APP_VERSION: '1.0', DESCRIPTION: 'PI technical example', LAST_COMMIT_SHA: 'abc57858585' };

const services: ServiceProcess[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

/** Only the variables given: nothing from the test runner's environment leaks into the service. */
async function startService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startBuiltService({ env });
  services.push(service);
  return service;
}

function runToExit(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

beforeAll(assertBuilt);

describe('the built service', () => {
  it('serves the contract with the values passed in', async () => {
    const { port } = await startService(SEED);
    const res = await httpRequest(port, '/healthcheck');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(
      '{"myapplication":[{"version":"1.0","description":"PI technical example","lastcommitsha":"abc57858585"}]}',
    );
  });

  it('answers HEAD with 200 and no body, as curl -I shows', async () => {
    const { port } = await startService(SEED);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('HEAD /healthcheck HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw).toMatch(/\r\nContent-Length: 104\r\n/);
  });

  it('sends the security headers and no server identification', async () => {
    const { port } = await startService(SEED);
    const res = await httpRequest(port, '/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.server).toBeUndefined();
  });

  it('reports the build record when nothing is passed in', async () => {
    const { port } = await startService();
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const build = JSON.parse(readFileSync(join(ROOT, 'dist', 'build-info.json'), 'utf8')) as {
      commit: string;
    };
    const body = JSON.parse((await httpRequest(port, '/healthcheck')).body) as {
      myapplication: { version: string; lastcommitsha: string; description: string }[];
    };
    expect(body.myapplication[0]).toEqual({
      version,
      description: DEFAULT_DESCRIPTION,
      lastcommitsha: build.commit,
    });
  });

  it('writes one JSON log line per event', async () => {
    const service = await startService(SEED);
    await httpRequest(service.port, '/nowhere', { headers: { 'X-Request-Id': 'e2e-1' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = service
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'listening', port: service.port }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', reqId: 'e2e-1', status: 404 }));
  });

  it.each([
    ['PORT', 'http'],
    ['LAST_COMMIT_SHA', 'not-a-sha'],
    ['DESCRIPTION', 'two\nlines'],
    ['LOG_LEVEL', 'loud'],
  ])('stops on a bad %s with one stderr line and exit code 78', (variable, value) => {
    const { status, stderr, stdout } = runToExit({ [variable]: value });
    expect(status).toBe(78);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.startsWith(`configuration error: ${variable} must be`)).toBe(true);
    expect(stderr).not.toMatch(/\bat .+\.js:\d+/);
    expect(stdout).toBe('');
  });

  it('stops with exit code 69 when the port is taken', async () => {
    const { port } = await startService(SEED);
    const { status, stderr } = runToExit({ PORT: String(port), HOST: '127.0.0.1' });
    expect(status).toBe(69);
    expect(stderr).toBe(`cannot listen on port ${port}: EADDRINUSE\n`);
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const service = await startService({ ...SEED, SHUTDOWN_GRACE_MS: '5000' });
    // A request whose body is still arriving is in flight: the app is reading it.
    const socket = connect(service.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a"',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.child.exitCode).toBeNull();
    socket.write(':"bcd"}');
    await ended;
    expect(answer.startsWith('HTTP/1.1 405 ')).toBe(true);
    expect(answer).toContain('Connection: close');
    await expect(service.exited).resolves.toEqual({ code: 0, signal: null });
    expect(service.stdout()).toContain('"outcome":"drained"');
  });

  it('exits at once on a second signal', async () => {
    const service = await startService({ ...SEED, SHUTDOWN_GRACE_MS: '20000' });
    const socket = connect(service.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    await expect(service.exited).resolves.toEqual({ code: 143, signal: null });
    socket.destroy();
  });

  it('has a health probe that exits 0 when healthy and 1 when not', async () => {
    const { port } = await startService(SEED);
    const probe = (probePort: number) =>
      spawnSync(process.execPath, [PROBE], { env: { PORT: String(probePort) }, timeout: 10_000 }).status;
    expect(probe(port)).toBe(0);
    expect(probe(await freePort())).toBe(1);
  });
});
