/** Reads what `npm run build` recorded: the package version and the commit the build was made from. */
import { readFileSync } from 'node:fs';
import { UNKNOWN_COMMIT, type BuildInfo } from './config.ts';

export const BUILD_INFO_FILE = 'build-info.json';
const FALLBACK: BuildInfo = Object.freeze({ version: '0.0.0-dev', commit: UNKNOWN_COMMIT });

export function readBuildInfo(file: string): BuildInfo {
  let parsed: unknown;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is ours, built from the entry file's directory
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return FALLBACK;
  }
  const { version, commit } = (parsed ?? {}) as Partial<Record<keyof BuildInfo, unknown>>;
  return Object.freeze({
    version:
      typeof version === 'string' && /^[0-9A-Za-z.+_-]{1,64}$/.test(version) ? version : FALLBACK.version,
    commit: typeof commit === 'string' && /^[0-9a-f]{7,40}$/i.test(commit) ? commit : FALLBACK.commit,
  });
}
