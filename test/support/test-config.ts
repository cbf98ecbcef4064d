import { loadConfig, type Config } from '../../src/config.ts';

export const SEED_ENV = Object.freeze({
  APP_VERSION: '1.0',
  DESCRIPTION: 'PI technical example',
  LAST_COMMIT_SHA: 'abc57858585',
});

/** A valid configuration with the seed's values; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    { ...SEED_ENV, LOG_LEVEL: 'silent', ...overrides },
    { version: '9.9.9', commit: 'f00dfeed' },
  );
}
