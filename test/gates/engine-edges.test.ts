/**
 * execute and detectEngine on the cases the gate runs rarely meet: a command that cannot start for a
 * reason other than being absent, echoed output, output past the 64 MB it keeps, and engine detection
 * on a machine where neither docker, podman nor runc is on PATH (an empty PATH here, whatever this
 * machine has installed). And the SARIF helpers' optional parts: a tool version, a result with no rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectEngine, execute } from '../../security/gates/engine.ts';
import { describeResults, toSarif } from '../../security/gates/sarif.ts';

describe('execute', () => {
  it('reports why a command that exists cannot start (a folder is not executable)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'engine-edges-'));
    try {
      const result = await execute(folder, []);
      expect(result.status).toBeNull();
      expect(result.error).toMatch(/EACCES/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('echoes both streams as they come when asked to', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const result = await execute(
        process.execPath,
        ['-e', "process.stdout.write('to out'); process.stderr.write('to err')"],
        { echo: true },
      );
      expect(result).toEqual({ status: 0, stdout: 'to out', stderr: 'to err' });
      expect(out.mock.calls.map((call) => String(call[0]))).toContain('to out');
      expect(err.mock.calls.map((call) => String(call[0]))).toContain('to err');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('keeps no more than about 64 MB of a runaway command’s output', async () => {
    const script =
      'const mb = Buffer.alloc(1024 * 1024, 120); for (let i = 0; i < 80; i++) process.stdout.write(mb);';
    const result = await execute(process.execPath, ['-e', script]);
    expect(result.status).toBe(0);
    const kept = Buffer.byteLength(result.stdout);
    expect(kept).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(kept).toBeLessThan(80 * 1024 * 1024);
  });
});

describe('detectEngine with no engine on PATH', () => {
  const saved = { ...process.env };
  let empty: string;
  beforeEach(() => {
    empty = mkdtempSync(join(tmpdir(), 'no-engine-'));
    process.env.PATH = empty;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(empty, { recursive: true, force: true });
  });

  it('finds none of docker and podman (runc absent too)', async () => {
    delete process.env.CONTAINER_ENGINE;
    delete process.env.PODMAN_RUNTIME;
    await expect(detectEngine()).resolves.toBeUndefined();
  });

  it('tries only the engine CONTAINER_ENGINE names, with the PODMAN_RUNTIME given', async () => {
    process.env.CONTAINER_ENGINE = 'podman';
    process.env.PODMAN_RUNTIME = 'crun';
    await expect(detectEngine()).resolves.toBeUndefined();
    process.env.CONTAINER_ENGINE = 'docker';
    await expect(detectEngine()).resolves.toBeUndefined();
  });
});

describe('the SARIF helpers', () => {
  it('names the tool’s version when it has one', () => {
    const log = toSarif(
      { name: 'p', version: '1.2.3', informationUri: 'https://example.invalid/', rules: {} },
      [],
    );
    expect(log.runs[0]?.tool.driver).toMatchObject({ name: 'p', version: '1.2.3' });
  });

  it('describes a result with no rule id and no text by its place alone', () => {
    expect(
      describeResults([
        { message: {}, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.ts' } } }] },
      ]),
    ).toEqual(['a.ts']);
  });
});
