/**
 * The service's configuration: read from the environment once, validated, frozen.
 * Nothing else in the service reads `process.env`; every value that can reach a response is bounded
 * in length and restricted to printable characters here, so the response path never re-checks it.
 */

import serviceFile from './service.json' with { type: 'json' };
import { SERVER_LIMITS, type ServerLimits } from './limits.ts';
import { isRequired, type ServiceDescription } from './settings.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  /** `undefined` listens on every interface (IPv6 and IPv4 where the host has both). */
  readonly host: string | undefined;
  readonly appVersion: string;
  readonly description: string;
  readonly lastCommitSha: string;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  readonly bodyLimitBytes: number;
  /** SERVER_LIMITS (limits.ts), with the tighter values SERVER_LIMITS in the environment may give. */
  readonly serverLimits: ServerLimits;
}

/** What the build recorded (`dist/build-info.json`), used when the environment does not say. */
export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** The service's name, default description, default port and settings: one file (src/settings.ts says why). */
export const SERVICE: ServiceDescription = serviceFile as ServiceDescription;
export const DEFAULT_DESCRIPTION = SERVICE.description;
export const UNKNOWN_COMMIT = 'unknown';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const COMMIT_PATTERN = /^[0-9a-f]{7,40}$/i;
// Host names and IP literals only: no spaces, no URL syntax, nothing a log or a socket call could misread.
const HOST_PATTERN = /^[0-9A-Za-z.:-]{1,253}$/;
// Control and format characters (\p{C}) could forge log lines or hide text; the rest of Unicode is fine.
const PRINTABLE_PATTERN = /^[^\p{C}]+$/u;
const MAX_DESCRIPTION_LENGTH = 200;

/** Shows a rejected value safely: quoted, escaped and cut short, so the error line stays one line. */
function shown(value: string): string {
  const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(cut);
}

/** An unset or empty variable means "use the default": `docker build` turns an omitted build arg into "". */
function read(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got ${shown(raw)})`);
  }
  return value;
}

function matching(env: Environment, name: string, pattern: RegExp, rule: string): string | undefined {
  const raw = read(env, name);
  if (raw !== undefined && !pattern.test(raw)) {
    throw new ConfigError(name, `must be ${rule} (got ${shown(raw)})`);
  }
  return raw;
}

function description(env: Environment): string | undefined {
  const raw = read(env, 'DESCRIPTION');
  if (raw === undefined) return undefined;
  if (raw.length > MAX_DESCRIPTION_LENGTH || !PRINTABLE_PATTERN.test(raw)) {
    throw new ConfigError(
      'DESCRIPTION',
      `must be 1 to ${MAX_DESCRIPTION_LENGTH} printable characters (got ${shown(raw)})`,
    );
  }
  return raw;
}

function logLevel(env: Environment): LogLevel {
  const raw = read(env, 'LOG_LEVEL');
  if (raw === undefined) return 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got ${shown(raw)})`);
  }
  return level;
}

/**
 * SERVER_LIMITS='{"keepAliveTimeoutMs":5000,…}': a JSON object of limits.ts names, each a whole number
 * from 1 to its default. Only tighter: a deployment cannot loosen a deadline or raise a ceiling here;
 * the reliability suites use it to run the same code with shorter deadlines (test/reliability/suite-limits.ts).
 */
function serverLimits(env: Environment): ServerLimits {
  const raw = read(env, 'SERVER_LIMITS');
  if (raw === undefined) return SERVER_LIMITS;
  const rule = 'a JSON object of limits, each a whole number from 1 to its default';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('SERVER_LIMITS', `must be ${rule} (got ${shown(raw)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('SERVER_LIMITS', `must be ${rule} (got ${shown(raw)})`);
  }
  const limits: Record<string, number> = { ...SERVER_LIMITS };
  for (const [name, value] of Object.entries(parsed)) {
    const fallback = Object.entries(SERVER_LIMITS).find(([known]) => known === name)?.[1];
    if (fallback === undefined) throw new ConfigError('SERVER_LIMITS', `has no limit ${shown(name)}`);
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > fallback) {
      throw new ConfigError('SERVER_LIMITS', `${name} must be a whole number from 1 to ${fallback}`);
    }
    limits[name] = value as number;
  }
  // Node refuses a headers timeout longer than the request timeout.
  if ((limits.headersTimeoutMs ?? 0) > (limits.requestTimeoutMs ?? 0)) {
    throw new ConfigError('SERVER_LIMITS', 'headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return Object.freeze(limits) as ServerLimits;
}

/** A setting src/service.json marks required, missing here: named before any value is parsed. */
function checkRequired(env: Environment, service: ServiceDescription): void {
  const production = env.NODE_ENV === 'production';
  for (const [name, setting] of Object.entries(service.settings)) {
    if (isRequired(setting, production) && read(env, name) === undefined) {
      throw new ConfigError(
        name,
        setting.required === 'always' ? 'is required' : 'is required in production',
      );
    }
  }
}

/** Validates the environment; throws a {@link ConfigError} naming the first bad variable. */
export function loadConfig(
  env: Environment,
  build: BuildInfo,
  service: ServiceDescription = SERVICE,
): Config {
  checkRequired(env, service);
  return Object.freeze({
    port: integer(env, 'PORT', service.port, 1, 65535),
    host: matching(env, 'HOST', HOST_PATTERN, 'a host name or IP address'),
    appVersion:
      matching(env, 'APP_VERSION', VERSION_PATTERN, 'a version of 1 to 64 letters, digits or . + _ -') ??
      build.version,
    description: description(env) ?? service.description,
    lastCommitSha:
      matching(env, 'LAST_COMMIT_SHA', COMMIT_PATTERN, 'a hexadecimal commit SHA of 7 to 40 characters') ??
      build.commit,
    logLevel: logLevel(env),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 8000, 0, 120_000),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 16_384, 0, 10_485_760),
    serverLimits: serverLimits(env),
  });
}
