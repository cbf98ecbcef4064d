/**
 * The image's HEALTHCHECK: the runtime image has no shell and no curl, so this tiny client asks the
 * service itself. Exit 0 when /healthcheck answers 200 within the timeout, 1 otherwise.
 */
import { get } from 'node:http';
import { join } from 'node:path';
// Only node:http and modules that import nothing heavier: the probe runs every 30 s beside the service,
// and loading Express for it cost ~2.4x the wall time and ~16 MB more peak RSS per run (bench/RESULTS.md).
import { readBuildInfo, BUILD_INFO_FILE } from './build-info.ts';
import { loadConfig } from './config.ts';
import { HEALTH_PATH } from './health-route.ts';

export const PROBE_TIMEOUT_MS = 2_000;

export function probe(url: string, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs, headers: { 'X-Request-Id': 'healthprobe' } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

/* istanbul ignore next -- the entry point; tested end to end by spawning the built probe */
if (import.meta.main) {
  const { port } = loadConfig(process.env, readBuildInfo(join(import.meta.dirname, BUILD_INFO_FILE)));
  void probe(`http://127.0.0.1:${port}${HEALTH_PATH}`).then((healthy) => process.exit(healthy ? 0 : 1));
}
