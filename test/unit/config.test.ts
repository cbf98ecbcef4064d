import { ConfigError, DEFAULT_DESCRIPTION, loadConfig, type Environment } from '../../src/config';

const build = { version: '2.3.4', commit: '0123456789abcdef0123456789abcdef01234567' };

function failure(env: Environment): ConfigError {
  try {
    loadConfig(env, build);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the build record and safe defaults when nothing is set', () => {
    expect(loadConfig({}, build)).toEqual({
      port: 5000,
      host: undefined,
      appVersion: '2.3.4',
      description: DEFAULT_DESCRIPTION,
      lastCommitSha: build.commit,
      logLevel: 'info',
      shutdownGraceMs: 8000,
      bodyLimitBytes: 16_384,
    });
  });

  it('takes every value from the environment', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        APP_VERSION: '1.0',
        DESCRIPTION: 'PI technical example',
        LAST_COMMIT_SHA: 'abc57858585',
        LOG_LEVEL: 'debug',
        SHUTDOWN_GRACE_MS: '2500',
        BODY_LIMIT_BYTES: '1024',
      },
      build,
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      appVersion: '1.0',
      description: 'PI technical example',
      lastCommitSha: 'abc57858585',
      logLevel: 'debug',
      shutdownGraceMs: 2500,
      bodyLimitBytes: 1024,
    });
  });

  it('treats an empty variable as unset, as docker does with an omitted build argument', () => {
    expect(loadConfig({ APP_VERSION: '', LAST_COMMIT_SHA: '', PORT: '' }, build)).toMatchObject({
      appVersion: '2.3.4',
      lastCommitSha: build.commit,
      port: 5000,
    });
  });

  it('returns a frozen object', () => {
    const config = loadConfig({}, build);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('accepts IPv6 and host names for HOST', () => {
    expect(loadConfig({ HOST: '::' }, build).host).toBe('::');
    expect(loadConfig({ HOST: 'localhost' }, build).host).toBe('localhost');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['PORT', ' 80'],
    ['HOST', 'http://evil'],
    ['HOST', 'a b'],
    ['APP_VERSION', '1.0; rm -rf /'],
    ['APP_VERSION', 'v'.repeat(65)],
    ['APP_VERSION', '<script>'],
    ['DESCRIPTION', 'x'.repeat(201)],
    ['DESCRIPTION', 'line one\nline two'],
    ['DESCRIPTION', 'bell\u0007'],
    ['DESCRIPTION', 'hidden\u200btext'],
    ['LAST_COMMIT_SHA', 'abc12'],
    ['LAST_COMMIT_SHA', 'g'.repeat(40)],
    ['LAST_COMMIT_SHA', 'a'.repeat(41)],
    ['LOG_LEVEL', 'verbose'],
    ['SHUTDOWN_GRACE_MS', '120001'],
    ['SHUTDOWN_GRACE_MS', 'soon'],
    ['BODY_LIMIT_BYTES', '10485761'],
  ])('rejects %s=%j and names the variable', (variable, value) => {
    const err = failure({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable} must be`)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('quotes and cuts a long rejected value so the message stays one short line', () => {
    const err = failure({ APP_VERSION: `${'z'.repeat(100)}\n` });
    expect(err.message).toContain('"zzzz');
    expect(err.message).toContain('…');
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).not.toContain('\n');
  });

  it('accepts unicode text in DESCRIPTION', () => {
    expect(loadConfig({ DESCRIPTION: 'Déploiement – 健康' }, build).description).toBe('Déploiement – 健康');
  });
});
