import { EventEmitter } from 'node:events';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EXIT_CODES, main, type RunningService, type ServiceProcess } from '../../src/main.ts';
import { freePort, httpRequest } from '../support/http.ts';

/** A stand-in process: records exits and stderr; signals are emitted by the test. */
class FakeProcess extends EventEmitter implements ServiceProcess {
  readonly exits: number[] = [];
  readonly errors: string[] = [];
  readonly stderr = { write: (text: string) => this.errors.push(text) };
  constructor(readonly env: NodeJS.ProcessEnv) {
    super();
  }
  exit(code: number): void {
    this.exits.push(code);
  }
  async exited(): Promise<number> {
    for (let waited = 0; this.exits.length === 0 && waited < 5000; waited += 20) await delay(20);
    return this.exits[0] ?? -1;
  }
}

const baseEnv = { LOG_LEVEL: 'silent', HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '2000' };

const started: (RunningService | undefined)[] = [];
afterEach(async () => {
  for (const service of started.splice(0)) if (service !== undefined) await service.shutdown();
});

describe('main', () => {
  it('stops on a bad variable with one line naming it and the config exit code', async () => {
    const proc = new FakeProcess({ ...baseEnv, PORT: 'eighty' });
    await expect(main(proc, import.meta.dirname)).resolves.toBeUndefined();
    expect(proc.exits).toEqual([EXIT_CODES.config]);
    expect(proc.errors).toEqual([
      'configuration error: PORT must be a whole number from 1 to 65535 (got "eighty")\n',
    ]);
  });

  it('stops with the listen exit code when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const proc = new FakeProcess({ ...baseEnv, PORT: String(port) });
    await main(proc, import.meta.dirname);
    expect(proc.exits).toEqual([EXIT_CODES.listen]);
    expect(proc.errors).toEqual([`cannot listen on port ${port}: EADDRINUSE\n`]);
    blocker.close();
  });

  it('serves, then drains and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const proc = new FakeProcess({ ...baseEnv, PORT: String(port), APP_VERSION: '3.1.4' });
    const running = await main(proc, import.meta.dirname);
    started.push(running);
    expect(running?.port).toBe(port);
    const answer = await httpRequest(port, '/healthcheck');
    expect(JSON.parse(answer.body)).toMatchObject({ myapplication: [{ version: '3.1.4' }] });
    proc.emit('SIGTERM');
    await expect(proc.exited()).resolves.toBe(EXIT_CODES.ok);
  });

  it('exits at once with 128+signal on a second signal', async () => {
    const port = await freePort();
    const proc = new FakeProcess({ ...baseEnv, PORT: String(port) });
    started.push(await main(proc, import.meta.dirname));
    const agent = new Agent({ keepAlive: true });
    await httpRequest(port, '/healthcheck', { agent });
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    expect(proc.exits[0]).toBe(130);
    await proc.exited();
    agent.destroy();
  });

  it('listens on every interface when HOST is unset', async () => {
    const port = await freePort();
    const proc = new FakeProcess({ LOG_LEVEL: 'silent', PORT: String(port) });
    const running = await main(proc, import.meta.dirname);
    started.push(running);
    expect(running?.config.host).toBeUndefined();
    expect((await httpRequest(port, '/healthcheck')).status).toBe(200);
  });

  it('exits 1 on an uncaught error', async () => {
    const port = await freePort();
    const proc = new FakeProcess({ ...baseEnv, PORT: String(port) });
    started.push(await main(proc, import.meta.dirname));
    proc.emit('uncaughtException', new Error('bug'));
    expect(proc.exits).toEqual([EXIT_CODES.failure]);
  });

  it('rethrows an error that is not about configuration', async () => {
    const proc = new FakeProcess(baseEnv);
    Object.defineProperty(proc, 'env', {
      get() {
        throw new Error('environment unreadable');
      },
    });
    await expect(main(proc, import.meta.dirname)).rejects.toThrow('environment unreadable');
  });
});
