/**
 * Child processes and the container engine, for the local gate runner and the container test alike
 * (test/container/run.mjs imports this file): Docker when `docker info` answers, else podman (with
 * `--runtime runc` where runc is installed: crun fails on hosts with hybrid cgroups).
 * CONTAINER_ENGINE picks one; PODMAN_RUNTIME overrides the runtime.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** How a command ended: its exit status and output, or why it did not run to its end (`error`). */
export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

export interface ContainerEngine {
  readonly name: 'docker' | 'podman';
  /** Arguments every call needs (podman's `--runtime runc`). */
  readonly globalArgs: readonly string[];
  /** `env` is added to this process's environment. */
  exec(args: readonly string[], timeoutMs?: number, env?: NodeJS.ProcessEnv): Promise<ProcessResult>;
}

export type EngineDetector = () => Promise<ContainerEngine | undefined>;

const MEGABYTE = 1024 * 1024;

/** Runs a command to its end, never throwing: a missing binary or a timeout is an `error`. */
export function execute(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; echo?: boolean } = {},
): Promise<ProcessResult> {
  return new Promise((resolveResult) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const keep = (sink: Buffer[], echo: NodeJS.WriteStream) => (chunk: Buffer) => {
      // Output beyond 64 MB is dropped rather than held: a runaway tool must not exhaust memory.
      if (size < 64 * MEGABYTE) sink.push(chunk);
      size += chunk.length;
      if (options.echo) echo.write(chunk);
    };
    child.stdout.on('data', keep(stdout, process.stdout));
    child.stderr.on('data', keep(stderr, process.stderr));
    // A promise settles once: when 'close' follows 'error', its result is dropped by the promise itself.
    const settle = (result: ProcessResult) => {
      clearTimeout(timer);
      resolveResult(result);
    };
    // A command that cannot start (not installed) reports only 'error'; 'close' may never follow.
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle({
        status: null,
        stdout: '',
        stderr: '',
        error: err.code === 'ENOENT' ? `${command}: command not found` : err.message,
      });
    });
    child.on('close', (status) => {
      settle({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(timedOut
          ? { error: `${command} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s` }
          : {}),
      });
    });
  });
}

function makeEngine(name: 'docker' | 'podman', globalArgs: readonly string[]): ContainerEngine {
  return {
    name,
    globalArgs,
    exec: (args, timeoutMs = 120_000, env = {}) =>
      execute(name, [...globalArgs, ...args], { timeoutMs, env: { ...process.env, ...env } }),
  };
}

/** The first engine that answers `info`, or undefined when none is installed or running. */
export const detectEngine: EngineDetector = async () => {
  const wanted = process.env.CONTAINER_ENGINE;
  const candidates: ('docker' | 'podman')[] =
    wanted === 'docker' || wanted === 'podman' ? [wanted] : ['docker', 'podman'];
  for (const name of candidates) {
    let globalArgs: string[] = [];
    if (name === 'podman') {
      const runtime =
        process.env.PODMAN_RUNTIME ??
        ((await execute('runc', ['--version'], { timeoutMs: 10_000 })).status === 0 ? 'runc' : undefined);
      if (runtime !== undefined) globalArgs = ['--runtime', runtime];
    }
    const info = await execute(name, [...globalArgs, 'info'], { timeoutMs: 30_000 });
    if (info.status === 0) return makeEngine(name, globalArgs);
  }
  return undefined;
};

export interface ImageAvailability {
  readonly available: boolean;
  /** Why not: the pull's own last words. */
  readonly reason?: string;
}

/**
 * Whether an image is in the local store, pulling it if not. The pull is bounded: offline, it fails in
 * well under a second (DNS), and behind a black-holing firewall the timeout ends it.
 */
export async function ensureImage(
  engine: ContainerEngine,
  reference: string,
  pullTimeoutMs = 300_000,
): Promise<ImageAvailability> {
  const present = await engine.exec(['image', 'inspect', reference], 30_000);
  if (present.status === 0) return { available: true };
  const pull = await engine.exec(['pull', reference], pullTimeoutMs);
  if (pull.status === 0) return { available: true };
  const words = (pull.error ?? `${pull.stderr}\n${pull.stdout}`)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  return {
    available: false,
    reason: `not in the local image store, and the pull failed: ${words ?? 'no output'}`,
  };
}

/** A loopback port free at the time of asking (the OS picks it), for a service a test or gate starts. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Polls `url` until it answers at all (any status) or `timeoutMs` passes. `stillStarting` is asked
 * after each miss, so a service that has already died ends the wait at once instead of at the timeout.
 */
export async function waitUntilAnswering(
  url: string,
  timeoutMs: number,
  stillStarting: () => Promise<boolean> | boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).arrayBuffer();
      return true;
    } catch {
      if (!(await stillStarting())) return false;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  return false;
}
