/**
 * The runner's command line and its summary: flags, the table, the exit codes, and what happens when
 * no container engine, or no scanner image, is there. The CLI runs as `npm run gates` does (Node
 * running the TypeScript directly) in a throw-away copy of the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCli } from '../../security/gates/cli.ts';
import type { ContainerEngine, EngineDetector } from '../../security/gates/engine.ts';
import { detectEngine } from '../../security/gates/engine.ts';
import type { GateResult } from '../../security/gates/gate.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { EXIT, exitCodeOf, formatTable } from '../../security/gates/runner.ts';
import { makeSandbox, runQuietly, type Sandbox } from './gate-sandbox.ts';
import { sarifErrors } from './sarif-schema.ts';
import { PINNED_BY_DIGEST } from '../../security/constants.ts';

jest.setTimeout(120_000);

let sandbox: Sandbox;
let nodeOnlyBin: string;
beforeAll(() => {
  sandbox = makeSandbox();
  // A PATH with node and nothing else: no docker, no podman.
  nodeOnlyBin = mkdtempSync(join(tmpdir(), 'gates-path-'));
  symlinkSync(process.execPath, join(nodeOnlyBin, 'node'));
});
afterAll(() => {
  sandbox.remove();
  rmSync(nodeOnlyBin, { recursive: true, force: true });
});

function gates(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['security/gates/run.ts', ...args], {
    cwd: sandbox.root,
    encoding: 'utf8',
    // No installed tools unless a test says so: which copy of a scanner runs is the selection's test.
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      SHS_TOOLS_DIR: nodeOnlyBin,
      ...env,
    },
    timeout: 100_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('flags', () => {
  test('--help prints the usage and exits 0', () => {
    const run = gates(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run gates/);
    expect(run.stdout).toContain('--allow-missing');
  });

  test('--list names every gate with where CI runs it', () => {
    const run = gates(['--list']);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    for (const gate of GATES)
      expect(lines.filter((line) => line.startsWith(`${gate.name} `))).toHaveLength(1);
    expect(run.stdout).toContain('CI: the trivy job of .github/workflows/security-gates.yml');
    expect(run.stdout).not.toContain('CI: not in CI');
  });

  test.each([
    [['--bogus']],
    [['--only', 'nope']],
    [['--only', 'eslint', 'extra']],
    [['--skip', 'eslint,nope']],
  ])('bad usage %j prints the usage and exits 64', (args) => {
    const run = gates(args);
    expect(run.status).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/^gates: /);
    expect(run.stderr).toContain('Usage: npm run gates');
    expect(run.stdout).toBe('');
  });

  test('--only and --skip select gates by name, keeping the usual order', () => {
    const only = parseCli(['--only', 'zap,eslint', '--only', 'dockerfile']);
    expect(only.kind === 'run' && only.gates.map((gate) => gate.name)).toEqual([
      'eslint',
      'dockerfile',
      'zap',
    ]);
    // Skipping keeps every other gate, in the order of the full run (no list here to edit per new gate).
    const skipped = ['tests', 'audit', 'osv-scanner', 'image', 'trivy', 'checkov', 'zap', 'zap-api'];
    const all = parseCli([]);
    const skip = parseCli(['--skip', skipped.join(',')]);
    const names = (cli: typeof all) => (cli.kind === 'run' ? cli.gates.map((gate) => gate.name) : []);
    expect(names(all)).toEqual(expect.arrayContaining([...skipped, 'eslint', 'dockerfile']));
    expect(names(skip)).toEqual(names(all).filter((name) => !skipped.includes(name)));
    expect(names(skip)).not.toHaveLength(0);
    expect(parseCli(['--only', 'eslint', '--skip', 'eslint'])).toEqual({
      kind: 'usage',
      message: 'no gate left to run',
    });
    expect(parseCli(['--allow-missing'])).toMatchObject({ kind: 'run', allowMissing: true });
  });
});

describe('the run, its table and its exit codes', () => {
  test('a clean tree passes: progress for each gate, the table, exit 0, valid SARIF', () => {
    const run = gates(['--only', 'dockerfile,lockfile']);
    expect(run.status).toBe(EXIT.passed);
    expect(run.stdout).toMatch(/^▶ \[1\/2\] lockfile: .*\n✔ lockfile: passed, 0 findings \(\d+\.\d s\)$/m);
    expect(run.stdout).toMatch(/^▶ \[2\/2\] dockerfile: .*\n✔ dockerfile: passed, 0 findings/m);
    expect(run.stdout).toMatch(/^\| gate +\| result +\| findings +\| +time \| tool +\|$/m);
    expect(run.stdout).toMatch(
      /^\| dockerfile \| passed +\| +0 \| +\d+\.\d s \| ours: security\/dockerfile-policy\.ts +\|$/m,
    );
    expect(run.stdout).toMatch(/^gates: 2 passed, 0 failed, 0 not run — exit 0$/m);
    expect(sarifErrors(join(sandbox.root, 'reports', 'dockerfile-policy.sarif'))).toEqual([]);
    expect(readFileSync(join(sandbox.root, 'reports', 'lockfile-lint.txt'), 'utf8')).toMatch(
      /^No issues detected/m,
    );
  });

  test('a failed gate exits 2 and lists its findings under the table', () => {
    const original = sandbox.read('Dockerfile');
    sandbox.replace('Dockerfile', 'USER 65532:65532', 'USER 0');
    try {
      const run = gates(['--only', 'dockerfile']);
      expect(run.status).toBe(EXIT.failed);
      expect(run.stdout).toMatch(/^\| dockerfile \| failed +\| +1 \|/m);
      expect(run.stdout).toMatch(/^ {2}Dockerfile:\d+ user-numeric-nonroot USER 0 is root$/m);
      expect(sarifErrors(join(sandbox.root, 'reports', 'dockerfile-policy.sarif'))).toEqual([]);
    } finally {
      sandbox.write('Dockerfile', original);
    }
  });

  test('without docker or podman on PATH, or the tools, the scanner gates are "not run" with the reason: exit 3', () => {
    const run = gates(['--only', 'dockerfile,image,trivy,checkov,zap'], { PATH: nodeOnlyBin });
    expect(run.status).toBe(EXIT.notRun);
    const lines = run.stdout.split('\n');
    for (const name of ['image', 'trivy', 'checkov', 'zap']) {
      expect(
        lines.filter((line) => line.replace(/ +/g, ' ').startsWith(`| ${name} | not run | - |`)),
      ).toHaveLength(1);
    }
    for (const name of ['image', 'trivy', 'zap']) {
      expect(lines).toContain(`${name} not run: no container engine answers (docker info / podman info)`);
    }
    // Checkov needs no engine: natively it is the PyPI release; it has no image (security/gates/images.json).
    expect(lines).toContain(
      'checkov not run: checkov 3.3.13 is not installed natively, and it has no pinned image',
    );
    expect(run.stdout).toMatch(
      /how to run it: bash scripts\/ci\/install-tools\.sh checkov \(installs checkov 3\.3\.13 into /,
    );
    expect(run.stdout).toMatch(/^\| checkov +\| not run +\| +- \| +\d+\.\d s \| not run +\|$/m);
    expect(run.stdout).toContain('how to run it: install and start Docker, or podman');
    expect(run.stdout).toMatch(/^gates: 1 passed, 0 failed, 4 not run — exit 3$/m);
  });

  test('the ZAP API scan is a gate of its own, "not run" with the reason where no engine answers', () => {
    const run = gates(['--only', 'zap-api'], { PATH: nodeOnlyBin });
    expect(run.status).toBe(EXIT.notRun);
    const lines = run.stdout.split('\n');
    expect(
      lines.filter((line) => line.replace(/ +/g, ' ').startsWith('| zap-api | not run | - |')),
    ).toHaveLength(1);
    expect(lines).toContain('zap-api not run: no container engine answers (docker info / podman info)');
  });

  test('--allow-missing turns "not run" into exit 0, but never hides a failure', () => {
    expect(gates(['--only', 'dockerfile,zap', '--allow-missing'], { PATH: nodeOnlyBin }).status).toBe(
      EXIT.passed,
    );
    const original = sandbox.read('Dockerfile');
    sandbox.replace('Dockerfile', 'USER 65532:65532', 'USER root');
    try {
      expect(gates(['--only', 'dockerfile,zap', '--allow-missing'], { PATH: nodeOnlyBin }).status).toBe(
        EXIT.failed,
      );
    } finally {
      sandbox.write('Dockerfile', original);
    }
  });

  test('exit codes: failed beats not run, not run beats passed', () => {
    const result = (status: GateResult['status']): GateResult => ({ name: status, status, seconds: 0 });
    expect(exitCodeOf([result('passed')], false)).toBe(0);
    expect(exitCodeOf([result('passed'), result('not run')], false)).toBe(3);
    expect(exitCodeOf([result('passed'), result('not run')], true)).toBe(0);
    expect(exitCodeOf([result('not run'), result('failed')], true)).toBe(2);
  });

  test('the table aligns its columns and explains every gate that did not pass', () => {
    const table = formatTable([
      { name: 'eslint', status: 'passed', findings: 0, seconds: 3.25 },
      {
        name: 'trivy',
        status: 'not run',
        reason: 'no engine',
        howTo: 'install podman',
        via: 'not run',
        seconds: 0,
      },
      {
        name: 'lockfile',
        status: 'failed',
        findings: 12,
        details: ['package-lock.json:9 lockfile-https x'],
        seconds: 1,
      },
      { name: 'checkov', status: 'passed', findings: 0, via: 'native 3.3.13', seconds: 9 },
      { name: 'zap', status: 'passed', findings: 3, via: 'container ghcr.io/zaproxy/zap:x', seconds: 9 },
    ]);
    expect(table.split('\n')).toEqual([
      '| gate     | result  | findings |  time | tool                            |',
      '|----------|---------|----------|-------|---------------------------------|',
      '| eslint   | passed  |        0 | 3.3 s | -                               |',
      '| trivy    | not run |        - | 0.0 s | not run                         |',
      '| lockfile | failed  |       12 | 1.0 s | -                               |',
      '| checkov  | passed  |        0 | 9.0 s | native 3.3.13                   |',
      '| zap      | passed  |        3 | 9.0 s | container ghcr.io/zaproxy/zap:x |',
      '',
      'trivy not run: no engine',
      '  how to run it: install podman',
      'lockfile failed',
      '  package-lock.json:9 lockfile-https x',
    ]);
  });
});

describe('scanner images that cannot be had', () => {
  const scanners = () => GATES.filter((gate) => ['image', 'checkov'].includes(gate.name));

  test('a pull that fails makes the gate "not run", quoting the engine and saying how to get the image', async () => {
    // Stands in for an engine on a machine cut off from registries: the image is not in the store and
    // the pull fails as podman's does offline. What is tested is the runner's reading of that.
    const calls: string[][] = [];
    const offlineEngine: ContainerEngine = {
      name: 'podman',
      globalArgs: [],
      exec: (args) => {
        calls.push([...args]);
        return Promise.resolve({
          status: 125,
          stdout: '',
          stderr:
            args[0] === 'pull'
              ? 'Error: initializing source docker://x: pinging container registry registry-1.docker.io: dial tcp: lookup registry-1.docker.io: no such host\n'
              : 'Error: x: image not known\n',
        });
      },
    };
    sandbox.write('checkov.yaml', 'framework: [dockerfile]\n');
    const saved = { dir: process.env.SHS_TOOLS_DIR, path: process.env.PATH };
    // No native Checkov: it has no image either, so it is "not run" with the installer to run.
    process.env.SHS_TOOLS_DIR = sandbox.root;
    process.env.PATH = dirname(process.execPath);
    try {
      const detect: EngineDetector = () => Promise.resolve(offlineEngine);
      const { results, exitCode } = await runQuietly(sandbox.root, scanners(), { detectEngine: detect });
      expect(exitCode).toBe(EXIT.notRun);
      expect(results.map((result) => result.status)).toEqual(['not run', 'not run']);
      expect(results[0]?.reason).toMatch(
        /^base image node:24-bookworm-slim@sha256:\w+ not in the local image store, and the pull failed: .*no such host$/,
      );
      expect(results[1]?.reason).toBe('checkov 3.3.13 is not installed natively, and it has no pinned image');
      expect(results[1]?.howTo).toMatch(/^bash scripts\/ci\/install-tools\.sh checkov /);
      expect(results[1]?.via).toBe('not run');
      expect(
        calls.filter((args) => args[0] === 'pull' || args[0] === 'build').map((args) => args[0]),
      ).toEqual(['pull']);
    } finally {
      process.env.SHS_TOOLS_DIR = saved.dir;
      process.env.PATH = saved.path;
      if (saved.dir === undefined) delete process.env.SHS_TOOLS_DIR;
      rmSync(join(sandbox.root, 'checkov.yaml'));
    }
  });

  test('with the engine this machine has (if any), the image gate tries for real and says what it did not run', async () => {
    const engine = await detectEngine();
    const { results } = await runQuietly(sandbox.root, [GATES.find((gate) => gate.name === 'image')!], {
      detectEngine: () => Promise.resolve(engine),
    });
    const [image] = results;
    if (engine === undefined) {
      expect(image?.reason).toMatch(/^no container engine answers/);
    } else if (image?.status === 'not run') {
      // Offline: the pinned base is neither in the store nor pullable.
      const offline = /^base image (\S+) not in the local image store, and the pull failed: /.exec(
        image.reason ?? '',
      );
      expect(offline?.[1]).toMatch(PINNED_BY_DIGEST);
      expect(image.howTo).toContain(`${engine.name} pull `);
    } else {
      expect(image?.status).toBe('passed');
    }
  });
});
