// The service's port and runtime settings, read from src/service.json for the shell: the CI jobs that
// run the image and the deploy scripts. Plain JavaScript for any Node from 18 (a runner's own), so it
// cannot import src/settings.ts; test/deploy/settings.test.ts holds the two to the same answers.
//
//   node deploy/settings.mjs port         the port the service listens on by default
//   node deploy/settings.mjs stand-ins    NAME=value lines (docker run --env-file) that start the image
//                                          as in production where no real settings exist (scans, tests)
//   node deploy/settings.mjs cloudrun     gcloud run deploy flags, one a line, from this environment
//   node deploy/settings.mjs beanstalk    Elastic Beanstalk option settings (JSON), from this environment
//
// At deploy, a setting's value comes from the environment variable of its name (or a NAME=value line of
// SERVICE_SETTINGS, the deploy workflows' repository variable), a secret's only as a
// reference in <NAME>_SECRET: a Secret Manager `secret:version` for Cloud Run (--update-secrets), a
// Secrets Manager or Parameter Store ARN for Elastic Beanstalk (environmentsecrets). A secret's value
// passed as such is refused, and so is a missing setting the service requires in production: the
// deploy stops before anything is called, naming the variable. Values are never printed to the log
// (the workflows pass these lines to the CLI, not to echo). Exit: 0, 2 refused (a line on stderr each).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// SERVICE_DESCRIPTION: another description file, for the tests' fixtures.
const SERVICE_FILE =
  process.env.SERVICE_DESCRIPTION ??
  join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'service.json');
// eslint-disable-next-line security/detect-non-literal-fs-filename -- the project's own file (or a test's fixture), never a request's path
const service = JSON.parse(readFileSync(SERVICE_FILE, 'utf8'));
const settings = Object.entries(service.settings ?? {});
const requiredInProduction = (setting) => setting.required === 'always' || setting.required === 'production';
// Printable, one line: a value goes into a CLI argument or an option setting, never through a shell.
const SAFE_VALUE = /^[^\p{C}]{1,4096}$/u;
const CLOUD_RUN_SECRET = /^[A-Za-z0-9_-]{1,255}:(latest|[0-9]{1,10})$/;
const AWS_SECRET_ARN =
  /^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9/_+=.@:-]{1,512}$/;

/** Each declared setting this environment gives, as { name, value } or { name, reference }. */
function fromEnvironment(env, referencePattern, referenceRule) {
  const problems = [];
  const given = [];
  for (const [name, setting] of settings) {
    const value = env[name];
    const reference = env[`${name}_SECRET`];
    if (setting.secret) {
      if (value !== undefined && value !== '')
        problems.push(`${name} is a secret: pass a reference in ${name}_SECRET, never its value`);
      else if (reference !== undefined && reference !== '') {
        if (referencePattern.test(reference)) given.push({ name, reference });
        else problems.push(`${name}_SECRET must be ${referenceRule}`);
      } else if (requiredInProduction(setting))
        problems.push(`${name} is required in production: set ${name}_SECRET`);
    } else if (value !== undefined && value !== '') {
      if (SAFE_VALUE.test(value)) given.push({ name, value });
      else problems.push(`${name} must be one line of printable characters`);
    } else if (requiredInProduction(setting)) problems.push(`${name} is required in production: set ${name}`);
  }
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`settings: ${problem}\n`);
    process.exit(2);
  }
  return given;
}

/**
 * The deploy job's settings: SERVICE_SETTINGS (a repository or environment variable of NAME=value and
 * NAME_SECRET=reference lines, so a new setting needs no workflow edit), then the job's own variables.
 */
function deployEnvironment() {
  const env = {};
  for (const line of (process.env.SERVICE_SETTINGS ?? '').split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (at < 1) {
      process.stderr.write('settings: SERVICE_SETTINGS lines must be NAME=value\n');
      process.exit(2);
    }
    env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return { ...env, ...Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== '')) };
}

const mode = process.argv[2];
if (mode === 'port') {
  console.log(String(service.port));
} else if (mode === 'stand-ins') {
  console.log('NODE_ENV=production');
  for (const [name, setting] of settings) {
    if (!requiredInProduction(setting)) continue;
    if (setting.standIn === undefined) {
      process.stderr.write(`settings: src/service.json: ${name} is required but has no standIn value\n`);
      process.exit(2);
    }
    console.log(`${name}=${setting.standIn}`);
  }
} else if (mode === 'cloudrun') {
  const given = fromEnvironment(deployEnvironment(), CLOUD_RUN_SECRET, 'a Secret Manager secret:version');
  // --update-*: the service's other variables (set by hand or by an earlier deploy) stay as they are.
  // A custom delimiter (^|^, gcloud topic escaping) lets a value hold commas.
  const values = given.filter((entry) => 'value' in entry);
  const secrets = given.filter((entry) => 'reference' in entry);
  if (values.length > 0)
    console.log(`--update-env-vars=^|^${values.map(({ name, value }) => `${name}=${value}`).join('|')}`);
  if (secrets.length > 0)
    console.log(`--update-secrets=${secrets.map(({ name, reference }) => `${name}=${reference}`).join(',')}`);
} else if (mode === 'beanstalk') {
  const given = fromEnvironment(
    deployEnvironment(),
    AWS_SECRET_ARN,
    'a Secrets Manager or Parameter Store ARN',
  );
  // Namespaces: docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-softwaresettings.html
  // (environment properties) and AWSHowTo.secrets.env-vars.html (secrets as environment variables).
  const options = given.map((entry) =>
    'value' in entry
      ? {
          Namespace: 'aws:elasticbeanstalk:application:environment',
          OptionName: entry.name,
          Value: entry.value,
        }
      : {
          Namespace: 'aws:elasticbeanstalk:application:environmentsecrets',
          OptionName: entry.name,
          Value: entry.reference,
        },
  );
  console.log(JSON.stringify(options));
} else {
  process.stderr.write('usage: node deploy/settings.mjs port|stand-ins|cloudrun|beanstalk\n');
  process.exit(2);
}
