/**
 * The entry point: the only module that touches the process. It wires config → app → server, handles
 * signals, and turns every outcome into a distinct exit code.
 */
import { join } from 'node:path';
import { createRequestListener } from './app.ts';
import { BUILD_INFO_FILE, readBuildInfo } from './build-info.ts';
import { ConfigError, loadConfig, SERVICE, type Config } from './config.ts';
import { Lifecycle } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServer, type ShutdownOutcome } from './server.ts';
import { standInEnvironment } from './settings.ts';

export const EXIT_CODES = Object.freeze({
  ok: 0,
  /** An unexpected error, or in-flight requests still open when the grace period ended. */
  failure: 1,
  /** Could not listen: the port is taken or not allowed (sysexits EX_UNAVAILABLE). */
  listen: 69,
  /** A configuration variable is invalid (sysexits EX_CONFIG). */
  config: 78,
});

/**
 * The settings the build's warm-up (scripts/code-cache.mjs) runs the bundle with: production, each
 * required setting's stand-in from src/service.json. Exported by the bundle, so the warm-up needs no
 * copy of the list and a setting required in production cannot break `npm run build`. A function, so
 * the service's own start computes nothing for it.
 */
export function warmUpEnvironment(): Readonly<Record<string, string>> {
  return Object.freeze(standInEnvironment(SERVICE));
}

const SIGNAL_NUMBERS = Object.freeze({ SIGINT: 2, SIGTERM: 15 });
type ShutdownSignal = keyof typeof SIGNAL_NUMBERS;

/** The part of `process` the service uses; tests pass a stand-in. */
export interface ServiceProcess {
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: { write(text: string): unknown };
  on(event: ShutdownSignal, listener: () => void): unknown;
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  exit(code: number): void;
}

export interface RunningService {
  readonly config: Config;
  readonly logger: Logger;
  readonly port: number;
  /** The same drain the signals start, for callers that embed the service. */
  readonly shutdown: () => Promise<ShutdownOutcome>;
}

export async function main(proc: ServiceProcess, distDir: string): Promise<RunningService | undefined> {
  let config: Config;
  try {
    config = loadConfig(proc.env, readBuildInfo(join(distDir, BUILD_INFO_FILE)));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    proc.stderr.write(`configuration error: ${err.message}\n`);
    proc.exit(EXIT_CODES.config);
    return undefined;
  }

  const logger = createLogger(config.logLevel);
  const fatal = (err: unknown) => {
    logger.fatal({ err }, 'unexpected error, exiting');
    proc.exit(EXIT_CODES.failure);
  };
  proc.on('uncaughtException', fatal);
  proc.on('unhandledRejection', fatal);

  const lifecycle = new Lifecycle();
  const service = createServer(
    createRequestListener(config, logger, { lifecycle }),
    config,
    logger,
    lifecycle,
  );
  let port: number;
  try {
    ({ port } = await service.listen());
  } catch (err) {
    const { code } = err as NodeJS.ErrnoException;
    proc.stderr.write(`cannot listen on port ${config.port}: ${String(code)}\n`);
    logger.fatal({ code, port: config.port }, 'cannot listen');
    proc.exit(EXIT_CODES.listen);
    return undefined;
  }
  logger.info(
    { port, host: config.host ?? 'all interfaces', version: config.appVersion, commit: config.lastCommitSha },
    'listening',
  );

  let stopping = false;
  const onSignal = (signal: ShutdownSignal) => {
    if (stopping) {
      // A second signal means "now": an operator or an orchestrator has stopped waiting.
      logger.warn({ signal }, 'second signal, exiting at once');
      proc.exit(128 + SIGNAL_NUMBERS[signal]);
      return;
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    void service.shutdown().then((outcome) => {
      logger.info({ outcome }, 'shutdown complete');
      proc.exit(outcome === 'drained' ? EXIT_CODES.ok : EXIT_CODES.failure);
    });
  };
  proc.on('SIGTERM', () => onSignal('SIGTERM'));
  proc.on('SIGINT', () => onSignal('SIGINT'));
  return { config, logger, port, shutdown: () => service.shutdown() };
}

/* istanbul ignore next -- the entry point; tested end to end by spawning the built service */
if (import.meta.main) {
  void main(process, import.meta.dirname);
}
