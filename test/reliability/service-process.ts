/**
 * Runs the BUILT service (`node dist/main.js`) as a child process on a free loopback port, the way it
 * runs in the image, so these tests measure what ships rather than the TypeScript sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../support/http';

export { freePort };

export const ROOT = join(__dirname, '..', '..');
export const SERVICE_ENTRY = join(ROOT, 'dist', 'main.js');

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly pid: number;
  readonly baseUrl: string;
  /** Every JSON line the service wrote to stdout so far. */
  readonly logs: LogLine[];
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly nodeFlags?: readonly string[];
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

export async function startService(options: StartOptions = {}): Promise<ServiceProcess> {
  assertBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), SERVICE_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_VERSION: '1.2.3',
      DESCRIPTION: 'reliability test',
      LAST_COMMIT_SHA: 'abcdef1',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderrText = '';
  let partial = '';
  // Always drained: the service writes its logs synchronously, so an unread pipe would stall it.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
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
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  // Ready means answering: LOG_LEVEL may hide the "listening" line, and a 200 is what a client needs.
  const baseUrl = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`service exited with ${await exited} before answering: ${stderrText}`);
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
    stderr: () => stderrText,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Memory {
  /** VmRSS: what `ps` and most limits count. */
  readonly rss: number;
  /** RssAnon: the private part. The rest (RssFile) is mostly the node executable mapped from disk. */
  readonly anon: number;
}

/** A process's resident memory in bytes, read from outside the process. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = new Map(
    [...status.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map(([, name, value]) => [name, Number(value)]),
  );
  const bytes = (field: 'VmRSS' | 'RssAnon') => {
    const value = kB.get(field);
    if (value === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
    return value * 1024;
  };
  return { rss: bytes('VmRSS'), anon: bytes('RssAnon') };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const MB = 1024 * 1024;
