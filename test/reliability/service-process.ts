/**
 * The built service as the reliability tests run it (test/support/service.ts starts it), with the
 * environment they share, and what they read from outside it: resident memory.
 */
import { readFileSync } from 'node:fs';
import {
  startService as startBuiltService,
  type ServiceProcess,
  type StartOptions,
} from '../support/service.ts';

import { InspectorSession, inspectorUrl } from './inspector.ts';
import { LIMITS_ENV } from './suite-limits.ts';

export { getStatus, type ServiceProcess } from '../support/service.ts';

const RELIABILITY_ENV = {
  APP_VERSION: '1.2.3',
  DESCRIPTION: 'reliability test',
  LAST_COMMIT_SHA: 'abcdef1',
  LOG_LEVEL: 'warn',
};

/** `env` is added to the shared reliability environment. */
export function startService(options: StartOptions = {}): Promise<ServiceProcess> {
  return startBuiltService({ ...options, env: { ...RELIABILITY_ENV, ...LIMITS_ENV, ...options.env } });
}

/**
 * One service for the whole test file: started before its tests, stopped after them. The tests read it
 * as `running.service` once started; with `inspect`, `running.inspector` can force a garbage collection.
 */
export function serviceForFile(options: { inspect?: boolean } = {}): {
  readonly service: ServiceProcess;
  readonly inspector: InspectorSession;
} {
  const running: { service?: ServiceProcess; inspector?: InspectorSession } = {};
  beforeAll(async () => {
    running.service = await startService(options.inspect ? { nodeFlags: ['--inspect=127.0.0.1:0'] } : {});
    if (options.inspect)
      running.inspector = await InspectorSession.open(inspectorUrl(running.service.stderr()));
  });
  afterAll(async () => {
    running.inspector?.close();
    await running.service?.stop();
  });
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`no ${what}: the service did not start (see beforeAll)`);
    return value;
  };
  return {
    get service() {
      return started('service', running.service);
    },
    get inspector() {
      return started('inspector (serviceForFile({ inspect: true }))', running.inspector);
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
