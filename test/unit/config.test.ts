import { ConfigError, DEFAULT_DESCRIPTION, loadConfig, SERVICE, type Environment } from '../../src/config.ts';
import { SERVER_LIMITS } from '../../src/limits.ts';
import serviceFile from '../../src/service.json' with { type: 'json' };
import type { ServiceDescription } from '../../src/settings.ts';

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
      port: SERVICE.port,
      host: undefined,
      appVersion: '2.3.4',
      description: DEFAULT_DESCRIPTION,
      lastCommitSha: build.commit,
      logLevel: 'info',
      shutdownGraceMs: 8000,
      bodyLimitBytes: 16_384,
      serverLimits: SERVER_LIMITS,
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
      port: SERVICE.port,
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

describe('the settings src/service.json declares', () => {
  const orders: ServiceDescription = {
    ...SERVICE,
    port: 6100,
    settings: {
      ...SERVICE.settings,
      ORDERS_REGION: { required: 'always', secret: false, standIn: 'stand-in' },
      ORDERS_DB_URL: { required: 'production', secret: true, standIn: 'postgres://stand-in.invalid/orders' },
    },
  };
  const refusal = (env: Environment) => {
    try {
      loadConfig(env, build, orders);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return 'accepted';
  };

  it('are read from src/service.json, with its port and description as defaults', () => {
    expect(SERVICE).toBe(serviceFile);
    expect(loadConfig({ ORDERS_REGION: 'eu' }, build, orders)).toMatchObject({
      port: 6100,
      description: SERVICE.description,
    });
  });

  it('refuses to start without a required setting, or one required in production when in production', () => {
    expect(refusal({})).toBe('ORDERS_REGION is required');
    expect(refusal({ ORDERS_REGION: 'eu' })).toBe('accepted');
    expect(refusal({ ORDERS_REGION: 'eu', NODE_ENV: 'production' })).toBe(
      'ORDERS_DB_URL is required in production',
    );
    expect(
      refusal({ ORDERS_REGION: 'eu', NODE_ENV: 'production', ORDERS_DB_URL: 'postgres://db/orders' }),
    ).toBe('accepted');
  });

  it('every setting the service reads is declared there, and every declared one is read', () => {
    const read = new Set<string>();
    const env = new Proxy<Environment>(
      {},
      {
        get: (_target, name) => {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      },
    );
    loadConfig(env, build);
    // The platform's and the build's variables (docs/configuration.md) are not runtime settings.
    const platform = ['PORT', 'HOST', 'NODE_ENV', 'APP_VERSION', 'DESCRIPTION', 'LAST_COMMIT_SHA'];
    expect([...read].filter((name) => !platform.includes(name)).sort()).toEqual(
      Object.keys(SERVICE.settings).sort(),
    );
  });
});

describe('SERVER_LIMITS: tighter limits, never looser', () => {
  it('takes tighter values for the limits it names and keeps the rest', () => {
    const { serverLimits } = loadConfig(
      { SERVER_LIMITS: '{"keepAliveTimeoutMs":5000,"headersTimeoutMs":2000}' },
      build,
    );
    expect(serverLimits).toEqual({ ...SERVER_LIMITS, keepAliveTimeoutMs: 5000, headersTimeoutMs: 2000 });
  });

  it.each([
    ['{', 'SERVER_LIMITS must be a JSON object of limits'],
    ['[1]', 'SERVER_LIMITS must be a JSON object of limits'],
    ['{"idleMs":1}', 'SERVER_LIMITS has no limit "idleMs"'],
    [
      `{"keepAliveTimeoutMs":${SERVER_LIMITS.keepAliveTimeoutMs + 1}}`,
      'keepAliveTimeoutMs must be a whole number from 1 to',
    ],
    ['{"maxConnections":0}', 'maxConnections must be a whole number from 1 to'],
    ['{"headersTimeoutMs":1.5}', 'headersTimeoutMs must be a whole number'],
    ['{"requestTimeoutMs":1000}', 'headersTimeoutMs must not exceed requestTimeoutMs'],
  ])('refuses %s', (value, message) => {
    expect(failure({ SERVER_LIMITS: value }).message).toContain(message);
  });
});
