/**
 * `npm run gates -- --standin-bases`, in process: the stand-in bases are used only when asked for, the
 * image row then says so (which stand-ins), and without an engine the image and its scans are an outage.
 * The engine here is a recorder that answers as podman does; the real build and scans on the stand-ins
 * run in .ci/run ("npm run gates on the stand-in bases", scripts/ci/gates-executed.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from '../../security/gates/cli.ts';
import type { ContainerEngine, ProcessResult } from '../../security/gates/engine.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { formatTable, runGates } from '../../security/gates/runner.ts';
import { baseImages } from '../../security/dockerfile-policy.ts';
import { ROOT } from './gate-sandbox.ts';

const IMAGE_GATES = GATES.filter((gate) => ['image', 'trivy'].includes(gate.name));
const ids = { runtime: 'a'.repeat(64), builder: 'b'.repeat(64) };

/** Answers like podman 4.3.1 on a machine that reaches no registry, and records every call. */
function recordingEngine(): ContainerEngine & { calls: string[][] } {
  const calls: string[][] = [];
  const answer = (status: number, stdout = '', stderr = ''): ProcessResult => ({ status, stdout, stderr });
  return {
    name: 'podman',
    globalArgs: ['--runtime', 'runc'],
    calls,
    exec: (args) => {
      calls.push([...args]);
      const [command, kind, reference = ''] = args;
      if (command === '--version') return Promise.resolve(answer(0, 'podman version 4.3.1\n'));
      if (command === 'pull')
        return Promise.resolve(answer(125, '', 'Error: dial tcp: lookup registry-1.docker.io: no such host'));
      if (command === 'image' && kind === 'inspect') {
        const standin = /healthcheck-standin-(runtime|builder):/.exec(reference)?.[1] as
          keyof typeof ids | undefined;
        return Promise.resolve(
          standin === undefined
            ? answer(125, '[]', 'image not known')
            : answer(0, JSON.stringify([{ Id: `sha256:${ids[standin]}` }])),
        );
      }
      return Promise.resolve(answer(0));
    },
  };
}

async function run(engine: ContainerEngine | undefined, standinBases: boolean) {
  let printed = '';
  const summary = await runGates({
    root: ROOT,
    gates: IMAGE_GATES,
    detectEngine: () => Promise.resolve(engine),
    standinBases,
    write: (text) => {
      printed += text;
    },
  });
  const image = summary.results.find((result) => result.name === 'image');
  return { ...summary, image, printed };
}

const pinned = (stage: string) =>
  baseImages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).find((base) => base.stage === stage)?.reference;

describe('the opt-in', () => {
  it('is --standin-bases or SHS_STANDIN_BASES=1, and off otherwise', () => {
    const standin = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const parsed = parseCli(argv, GATES, env);
      return parsed.kind === 'run' && parsed.standinBases;
    };
    expect(standin([])).toBe(false);
    expect(standin([], { SHS_STANDIN_BASES: '0' })).toBe(false);
    expect(standin(['--standin-bases'])).toBe(true);
    expect(standin([], { SHS_STANDIN_BASES: '1' })).toBe(true);
  });
});

describe('the image gate', () => {
  it('without the opt-in, asks for the pinned bases only, and says how to opt in when they cannot be had', async () => {
    const engine = recordingEngine();
    const { image, printed } = await run(engine, false);
    expect(image).toMatchObject({ status: 'not run' });
    expect(image?.reason).toContain(`base image ${pinned('npm-base')}`);
    expect(image?.howTo).toContain('npm run gates -- --standin-bases');
    expect(engine.calls.filter(([command]) => command === 'import' || command === 'build')).toEqual([]);
    expect(printed).toMatch(/trivy: not run .*the image gate did not run/);
  });

  it('with the opt-in, builds the real Dockerfile on the stand-ins, and its row names them', async () => {
    const engine = recordingEngine();
    const { image, printed } = await run(engine, true);
    const build = engine.calls.find(([command]) => command === 'build');
    expect(build).toBeDefined();
    expect(build).toEqual(
      expect.arrayContaining([
        '--build-context',
        `${pinned('npm-base')}=container-image://localhost/healthcheck-standin-builder:${/:(\w+)$/.exec(build?.find((arg) => arg.includes('standin-builder:')) ?? '')?.[1]}`,
        '--pull=never',
        '-f',
        join(ROOT, 'Dockerfile'),
      ]),
    );
    expect(
      build?.some((arg) =>
        arg.startsWith(`${pinned('runtime')}=container-image://localhost/healthcheck-standin-runtime:`),
      ),
    ).toBe(true);
    expect(image).toMatchObject({ status: 'passed' });
    expect(image?.via).toBe(
      `podman 4.3.1, STAND-IN bases, not the production image: runtime sha256:${'a'.repeat(12)}…, builder sha256:${'b'.repeat(12)}…`,
    );
    expect(printed).toContain('STAND-IN bases, not the production image');
    // The stand-ins' tags hash this machine's Node binary and libraries: seconds on a loaded machine.
  }, 60_000);

  it('with the opt-in but no engine (podman missing), is an outage with how to get one, and so is Trivy', async () => {
    const { results, exitCode } = await run(undefined, true);
    expect(results.map((result) => [result.name, result.status])).toEqual([
      ['image', 'not run'],
      ['trivy', 'not run'],
    ]);
    expect(results[0]?.reason).toBe('no container engine answers (docker info / podman info)');
    expect(results[0]?.howTo).toContain('podman');
    expect(exitCode).toBe(3);
    expect(formatTable(results)).toContain('image not run: no container engine answers');
  });
});
