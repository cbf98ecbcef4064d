/**
 * deploy/settings.mjs, the shell's reading of src/service.json: the port, the stand-ins the scans start
 * the image with (the same as src/settings.ts gives the service's warm-up), and the deploy flags that
 * pass settings by value and secrets by reference only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServiceDescription, standInArguments } from '../../security/gates/service-description.ts';
import { standInEnvironment, type ServiceDescription } from '../../src/settings.ts';
import { PROJECT_ROOT } from '../support/repository.ts';

const SCRIPT = join(PROJECT_ROOT, 'deploy', 'settings.mjs');
const ORDERS: ServiceDescription = {
  name: 'orders-api',
  description: 'Orders',
  port: 6100,
  settings: {
    LOG_LEVEL: { required: 'never', secret: false },
    ORDERS_REGION: { required: 'production', secret: false, standIn: 'stand-in-region' },
    ORDERS_DB_URL: { required: 'production', secret: true, standIn: 'postgres://stand-in.invalid/orders' },
  },
};

let dir: string;
let fixture: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-'));
  fixture = join(dir, 'service.json');
  writeFileSync(fixture, JSON.stringify(ORDERS));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settings(mode: string, env: Record<string, string> = {}, file?: string) {
  const result = spawnSync(process.execPath, [SCRIPT, mode], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      ...(file === undefined ? {} : { SERVICE_DESCRIPTION: file }),
      ...env,
    },
  });
  return { status: result.status, lines: result.stdout.split('\n').filter(Boolean), stderr: result.stderr };
}

const envLines = (env: Record<string, string>) =>
  Object.entries(env).map(([name, value]) => `${name}=${value}`);

describe('deploy/settings.mjs', () => {
  it("prints the project's port and stand-ins as src/service.json and src/settings.ts give them", () => {
    const service = readServiceDescription(PROJECT_ROOT);
    expect(settings('port').lines).toEqual([String(service.port)]);
    expect(settings('stand-ins').lines).toEqual(envLines(standInEnvironment(service)));
  });

  it('gives the same stand-ins as src/settings.ts for a service with required settings', () => {
    expect(settings('stand-ins', {}, fixture).lines).toEqual(envLines(standInEnvironment(ORDERS)));
    expect(settings('port', {}, fixture).lines).toEqual(['6100']);
    // The container test and the gates pass the same to `run`.
    expect(standInArguments(ORDERS)).toEqual(
      envLines(standInEnvironment(ORDERS)).flatMap((line) => ['-e', line]),
    );
  });

  it('passes values with --update-env-vars and secrets by Secret Manager reference to Cloud Run', () => {
    const result = settings(
      'cloudrun',
      { LOG_LEVEL: 'warn', ORDERS_REGION: 'eu,west', ORDERS_DB_URL_SECRET: 'orders-db-url:3' },
      fixture,
    );
    expect(result.status).toBe(0);
    expect(result.lines).toEqual([
      '--update-env-vars=^|^LOG_LEVEL=warn|ORDERS_REGION=eu,west',
      '--update-secrets=ORDERS_DB_URL=orders-db-url:3', // secretlint-disable-line -- a secret reference (name:version, ARN), not a secret
    ]);
  });

  it("reads the deploy workflows' SERVICE_SETTINGS lines, the job's own variables first", () => {
    const result = settings(
      'cloudrun',
      {
        SERVICE_SETTINGS:
          '# orders\nORDERS_REGION=eu=west\nORDERS_DB_URL_SECRET=orders-db-url:latest\nLOG_LEVEL=debug',
        LOG_LEVEL: 'warn',
      },
      fixture,
    );
    expect(result.lines).toEqual([
      '--update-env-vars=^|^LOG_LEVEL=warn|ORDERS_REGION=eu=west',
      '--update-secrets=ORDERS_DB_URL=orders-db-url:latest', // secretlint-disable-line -- a secret reference (name:version, ARN), not a secret
    ]);
    expect(settings('cloudrun', { SERVICE_SETTINGS: 'no equals sign' }, fixture).status).toBe(2);
  });

  it('sets environment properties and environment secrets (by ARN) on Elastic Beanstalk', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-url-AbCdEf'; // secretlint-disable-line -- a secret reference (name:version, ARN), not a secret
    const result = settings('beanstalk', { ORDERS_REGION: 'eu-west-1', ORDERS_DB_URL_SECRET: arn }, fixture);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.lines[0] ?? '')).toEqual([
      {
        Namespace: 'aws:elasticbeanstalk:application:environment',
        OptionName: 'ORDERS_REGION',
        Value: 'eu-west-1',
      },
      {
        Namespace: 'aws:elasticbeanstalk:application:environmentsecrets',
        OptionName: 'ORDERS_DB_URL',
        Value: arn,
      },
    ]);
  });

  it.each([
    [
      'a secret passed as its value',
      { ORDERS_REGION: 'x', ORDERS_DB_URL: 'postgres://real' },
      'ORDERS_DB_URL is a secret',
    ],
    [
      'a missing secret',
      { ORDERS_REGION: 'x' },
      'ORDERS_DB_URL is required in production: set ORDERS_DB_URL_SECRET',
    ],
    [
      'a missing value',
      { ORDERS_DB_URL_SECRET: 'db:1' },
      'ORDERS_REGION is required in production: set ORDERS_REGION',
    ],
    [
      'a malformed reference',
      { ORDERS_REGION: 'x', ORDERS_DB_URL_SECRET: 'db url' },
      'ORDERS_DB_URL_SECRET must be',
    ],
  ])('refuses %s, naming it and printing no value', (_what, env, message) => {
    const result = settings('cloudrun', env, fixture);
    expect(result.status).toBe(2);
    expect(result.lines).toEqual([]);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('postgres://real');
  });
});
