/**
 * Runs the BUILT service (`node dist/main.js`) as a child process on a free loopback port, the way it
 * runs in the image, so the tests that use it (e2e, reliability) exercise what ships rather than the
 * TypeScript sources. `npm test` builds before it runs Jest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { freePort } from './http.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SERVICE_ENTRY = join(ROOT, 'dist', 'main.js');

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly pid: number;
  readonly baseUrl: string;
  /** Every JSON line the service wrote to stdout so far, parsed. */
  readonly logs: LogLine[];
  /** Resolves once the process has exited. */
  readonly exited: Promise<ProcessExit>;
  stdout(): string;
  stderr(): string;
  /** SIGKILL, for a test's end: what a graceful stop does is tested by sending the signal itself. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The service's whole environment besides PATH, HOST and PORT: nothing leaks in from the test runner. */
  readonly env?: Readonly<Record<string, string>>;
  readonly nodeFlags?: readonly string[];
  /** Another copy of the built entry (dist/main.js by default), e.g. beside a damaged code cache. */
  readonly entry?: string;
}

/** One GET on its own connection (no pooled keep-alive socket left behind to skew a test). */
export function getStatus(url: string, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

export function assertBuilt(): void {
  if (!existsSync(SERVICE_ENTRY)) {
    throw new Error(`${SERVICE_ENTRY} is missing: run \`npm run build\` first (npm test does it)`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the built service and resolves once it answers 200 on /healthcheck. */
export async function startService(options: StartOptions = {}): Promise<ServiceProcess> {
  assertBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.entry ?? SERVICE_ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stdoutText = '';
  let stderrText = '';
  let partial = '';
  // Always drained: the service writes its logs synchronously, so an unread pipe would stall it.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutText += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrText += chunk;
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  // Ready means answering: LOG_LEVEL may hide the "listening" line, and a 200 is what a client needs.
  const baseUrl = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const { code, signal } = await exited;
      throw new Error(`service exited with ${code ?? signal} before answering: ${stderrText}`);
    }
    if (Date.now() - startedAt > 15_000) {
      child.kill('SIGKILL');
      throw new Error(`service did not answer within 15 s: ${stderrText}`);
    }
    const status = await getStatus(`${baseUrl}/healthcheck`).catch(() => 0);
    if (status === 200) break;
    await sleep(25);
  }

  return {
    child,
    port,
    pid: child.pid ?? 0,
    baseUrl,
    logs,
    exited,
    stdout: () => stdoutText,
    stderr: () => stderrText,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
