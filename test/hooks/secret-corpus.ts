// The secrets a template's scan must refuse, made fresh at run time from random material (keys by the
// real openssl and ssh-keygen), so this repository never stores anything secret-shaped for a scanner,
// a push protection or a reader to trip over. Each item is one file: a finding names the item.
// The look-alikes beside them are high-entropy strings that are not secrets and must pass.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CorpusItem {
  /** What the item is, for the test's name. */
  readonly name: string;
  /** Where it is committed, repository-relative; one item per path. */
  readonly path: string;
  readonly content: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const BASE64URL = ALNUM + '-_';

// Rejection sampling keeps every character equally likely; a skewed alphabet would lower the entropy
// the look-alike tests rely on being realistic.
export function randomFrom(alphabet: string, length: number): string {
  let text = '';
  const limit = 256 - (256 % alphabet.length);
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && text.length < length) text += alphabet.charAt(byte % alphabet.length);
    }
  }
  return text;
}

/** Random text that surely holds an upper-case letter, a lower-case letter and a digit. */
function mixed(alphabet: string, length: number): string {
  return (
    randomFrom(UPPER, 1) + randomFrom(LOWER, 1) + randomFrom(DIGITS, 1) + randomFrom(alphabet, length - 3)
  );
}

const base64 = (bytes: number): string => randomBytes(bytes).toString('base64');

function tool(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${command} could not start (is it installed?): ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  }
}

interface PrivateKey {
  readonly label: string;
  readonly pem: string;
}

// Every private-key form OpenSSL 3 and OpenSSH write for the common algorithms: PKCS#8 (what genpkey
// writes by default), its encrypted form, the "traditional" PKCS#1 / SEC1 / DSA forms with and without
// OpenSSL's legacy PEM encryption (Proc-Type/DEK-Info), and OpenSSH's own format with and without a
// passphrase, plus ssh-keygen's -m PEM.
function privateKeys(directory: string): PrivateKey[] {
  const passphrase = `pass:${randomFrom(ALNUM, 16)}`;
  const keys: PrivateKey[] = [];
  const read = (file: string) => readFileSync(join(directory, file), 'utf8');
  const openssl = (...args: string[]) => tool('openssl', args, directory);
  const generated: [string, string[]][] = [
    ['rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ['ec-p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['ec-p384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']],
    ['ed25519', ['-algorithm', 'ED25519']],
    ['ed448', ['-algorithm', 'ED448']],
  ];
  // DSA needs parameters first; 1024-bit parameters keep the corpus fast and the key shape is the same.
  openssl(
    'genpkey',
    '-genparam',
    '-algorithm',
    'DSA',
    '-pkeyopt',
    'dsa_paramgen_bits:1024',
    '-out',
    'dsa.param',
  );
  for (const [label, args] of [...generated, ['dsa', ['-paramfile', 'dsa.param']] as [string, string[]]]) {
    openssl('genpkey', ...args, '-out', `${label}.pem`);
    keys.push({ label: `${label} PKCS#8`, pem: read(`${label}.pem`) });
    openssl('pkey', '-in', `${label}.pem`, '-aes256', '-passout', passphrase, '-out', `${label}.enc.pem`);
    keys.push({ label: `${label} PKCS#8 encrypted`, pem: read(`${label}.enc.pem`) });
    if (label.startsWith('ed')) continue; // Edwards keys have no traditional form
    const traditional = label === 'rsa' ? 'PKCS#1' : label === 'dsa' ? 'traditional DSA' : 'SEC1';
    openssl('pkey', '-in', `${label}.pem`, '-traditional', '-out', `${label}.trad.pem`);
    keys.push({ label: `${label} ${traditional}`, pem: read(`${label}.trad.pem`) });
    openssl(
      'pkey',
      '-in',
      `${label}.pem`,
      '-traditional',
      '-aes256',
      '-passout',
      passphrase,
      '-out',
      `${label}.trad.enc.pem`,
    );
    keys.push({ label: `${label} ${traditional} encrypted`, pem: read(`${label}.trad.enc.pem`) });
  }
  // `openssl ecparam -genkey` writes the SEC1 key after an EC PARAMETERS block.
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ecparam.pem');
  keys.push({ label: 'ec-p256 SEC1 from ecparam -genkey', pem: read('ecparam.pem') });

  const sshKeys: [string, string[]][] = [
    ['rsa', ['-t', 'rsa', '-b', '2048']],
    ['ecdsa-p256', ['-t', 'ecdsa', '-b', '256']],
    ['ecdsa-p384', ['-t', 'ecdsa', '-b', '384']],
    ['ed25519', ['-t', 'ed25519']],
  ];
  for (const [label, args] of sshKeys) {
    for (const [variant, extra] of [
      ['OpenSSH', ['-N', '']],
      ['OpenSSH with passphrase', ['-N', randomFrom(ALNUM, 16)]],
      ['ssh-keygen -m PEM', ['-N', '', '-m', 'PEM']],
    ] as [string, string[]][]) {
      if (label === 'ed25519' && variant === 'ssh-keygen -m PEM') continue; // OpenSSH writes Ed25519 in its own format only
      const file = `ssh-${label}-${variant.replace(/\W+/g, '-')}`;
      tool('ssh-keygen', ['-q', ...args, ...extra, '-C', 'corpus', '-f', file], directory);
      keys.push({ label: `ssh-keygen ${label} ${variant}`, pem: read(file) });
    }
  }
  return keys;
}

const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function keyItems(keys: readonly PrivateKey[]): CorpusItem[] {
  return keys.flatMap(({ label, pem }, index) => [
    {
      name: `${label} in a key file`,
      path: `keys/${slug(label)}.${index % 2 === 0 ? 'pem' : 'key'}`,
      content: pem,
    },
    {
      name: `${label} inside a service-account JSON file`,
      path: `config/${slug(label)}-service-account.json`,
      content: `${JSON.stringify(
        {
          type: 'service_account',
          project_id: `corpus-${randomFrom(LOWER, 6)}`,
          private_key_id: randomFrom(HEX, 40),
          private_key: pem,
          client_email: `deployer@corpus-${randomFrom(LOWER, 6)}.iam.gserviceaccount.com`,
        },
        null,
        2,
      )}\n`,
    },
    {
      name: `${label} pasted into source`,
      path: `src/${slug(label)}-key.ts`,
      content: `export const signingKey = \`${pem}\`;\n`,
    },
  ]);
}

function tokenItems(): CorpusItem[] {
  const awsKeyId = `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  const awsSecret = randomFrom(`${ALNUM}/+`, 40);
  const storageKey = base64(64);
  const item = (name: string, path: string, content: string): CorpusItem => ({ name, path, content });
  return [
    item(
      'AWS access key id and secret in a credentials file',
      'config/aws-credentials',
      `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecret}\n`,
    ),
    item(
      'AWS access key id and secret in JSON',
      'config/aws.json',
      `${JSON.stringify({ accessKeyId: awsKeyId, secretAccessKey: awsSecret })}\n`,
    ),
    item(
      'AWS session token (STS, IQoJb3JpZ2luX2Vj… prefix)',
      'config/aws-session.env',
      `AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj${base64(300).replace(/=+$/, '')}\n`,
    ),
    item(
      'Google Cloud API key',
      'src/maps.ts',
      `export const mapsKey = 'AIza${randomFrom(BASE64URL, 35)}';\n`,
    ),
    item(
      'Azure storage connection string',
      'config/storage.json',
      `${JSON.stringify({
        connection: `DefaultEndpointsProtocol=https;AccountName=corpus${randomFrom(LOWER, 6)};AccountKey=${storageKey};EndpointSuffix=core.windows.net`,
      })}\n`,
    ),
    item('Azure storage account key', '.env.azure', `AZURE_STORAGE_KEY=${base64(64)}\n`),
    item(
      'Azure AD client secret (xxx8Q~ form)',
      'config/azure.json',
      `${JSON.stringify({ clientId: randomUUID(), clientSecret: `${randomFrom(ALNUM, 3)}${randomFrom(DIGITS, 1)}Q~${randomFrom(`${ALNUM}_~.-`, 34)}` })}\n`,
    ),
    item('GitHub classic token', 'scripts/release.sh', `export GH_TOKEN=ghp_${randomFrom(ALNUM, 36)}\n`),
    item(
      'GitHub fine-grained token',
      'scripts/fine-grained.sh',
      `export GH_TOKEN=github_pat_${randomFrom(ALNUM, 22)}_${randomFrom(ALNUM, 59)}\n`,
    ),
    item(
      'GitHub app installation token',
      'src/github-app.ts',
      `export const token = 'ghs_${randomFrom(ALNUM, 36)}';\n`,
    ),
    item(
      'GitHub app user token',
      'src/github-user.ts',
      `export const token = 'ghu_${randomFrom(ALNUM, 36)}';\n`,
    ),
    item(
      'GitHub OAuth token',
      'src/github-oauth.ts',
      `export const token = 'gho_${randomFrom(ALNUM, 36)}';\n`,
    ),
    item('GitLab personal access token', '.gitlab-token', `glpat-${randomFrom(`${ALNUM}_-`, 20)}\n`),
    item('npm access token', '.npmrc', `//registry.npmjs.org/:_authToken=npm_${randomFrom(ALNUM, 36)}\n`),
    item(
      'Slack bot token',
      'config/slack-bot.json',
      `${JSON.stringify({ token: `xoxb-${randomFrom(DIGITS, 12)}-${randomFrom(DIGITS, 13)}-${randomFrom(ALNUM, 24)}` })}\n`,
    ),
    item(
      'Slack user token',
      'config/slack-user.json',
      `${JSON.stringify({ token: `xoxp-${randomFrom(DIGITS, 12)}-${randomFrom(DIGITS, 12)}-${randomFrom(DIGITS, 13)}-${randomFrom(HEX, 32)}` })}\n`,
    ),
    item(
      'Slack incoming webhook',
      'src/notify.ts',
      `export const webhook = 'https://hooks.slack.com/services/T${randomFrom(UPPER + DIGITS, 10)}/B${randomFrom(UPPER + DIGITS, 10)}/${randomFrom(ALNUM, 24)}';\n`,
    ),
    item(
      'Stripe live secret key',
      'src/billing.ts',
      `export const stripeKey = 'sk_live_${mixed(ALNUM, 99)}';\n`,
    ),
    item(
      'Stripe live secret key, older 24-character form',
      'src/billing-old.ts',
      `export const stripeKey = 'sk_live_${mixed(ALNUM, 24)}';\n`,
    ),
    item(
      'Stripe restricted key',
      'src/billing-restricted.ts',
      `export const stripeKey = 'rk_live_${mixed(ALNUM, 99)}';\n`,
    ),
    item(
      'SendGrid API key',
      'src/mail.ts',
      `export const sendgridKey = 'SG.${randomFrom(BASE64URL, 22)}.${randomFrom(BASE64URL, 43)}';\n`,
    ),
    // Base64url keys hold "-" where chance puts it; these put one in each part, where the preset misses it.
    item(
      'SendGrid API key with "-" in both parts',
      'src/mail-dashes.ts',
      `export const sendgridKey = 'SG.${randomFrom(BASE64URL, 10)}-${randomFrom(BASE64URL, 11)}.${randomFrom(BASE64URL, 20)}-${randomFrom(BASE64URL, 22)}';\n`,
    ),
    item(
      'Twilio API key and secret',
      'config/twilio.env',
      `TWILIO_API_KEY=SK${randomFrom(HEX, 32)}\nTWILIO_API_SECRET=${mixed(ALNUM, 32)}\n`,
    ),
    item(
      'Twilio account SID and auth token',
      'config/twilio.json',
      `${JSON.stringify({ accountSid: `AC${randomFrom(HEX, 32)}`, authToken: randomFrom(HEX, 32) })}\n`,
    ),
    item(
      'Mailgun API key (key- form)',
      'src/mailgun.ts',
      `export const mailgunKey = 'key-${randomFrom(HEX, 32)}';\n`,
    ),
    item(
      'Mailgun API key (current form)',
      'config/mailgun.env',
      `MAILGUN_API_KEY=${randomFrom(HEX, 32)}-${randomFrom(HEX, 8)}-${randomFrom(HEX, 8)}\n`,
    ),
    item(
      'OpenAI project key',
      'src/openai.ts',
      `export const openaiKey = 'sk-proj-${randomFrom(BASE64URL, 74)}T3BlbkFJ${randomFrom(BASE64URL, 74)}';\n`,
    ),
    item(
      'OpenAI legacy key',
      'src/openai-legacy.ts',
      `export const openaiKey = 'sk-${randomFrom(ALNUM, 20)}T3BlbkFJ${randomFrom(ALNUM, 20)}';\n`,
    ),
    item(
      'Anthropic API key',
      'src/anthropic.ts',
      `export const anthropicKey = 'sk-ant-api03-${randomFrom(BASE64URL, 93)}AA';\n`,
    ),
    item('Datadog API key', 'config/datadog.env', `DD_API_KEY=${randomFrom(HEX, 32)}\n`),
    item(
      'Datadog application key',
      'config/datadog-app.yaml',
      `datadog:\n  app_key: ${randomFrom(HEX, 40)}\n`,
    ),
    item(
      'Sentry DSN with its secret key',
      'src/sentry.ts',
      `export const dsn = 'https://${randomFrom(HEX, 32)}:${randomFrom(HEX, 32)}@o${randomFrom(DIGITS, 6)}.ingest.sentry.io/${randomFrom(DIGITS, 7)}';\n`,
    ),
    item(
      'JWT signing secret in .env',
      '.env',
      `PORT=5000\nJWT_SECRET=${randomBytes(48).toString('base64url')}\n`,
    ),
    item(
      'postgres URL with a password',
      'config/postgres.env',
      `DATABASE_URL=postgres://app:${mixed(ALNUM, 20)}@db.internal:5432/app\n`,
    ),
    item(
      'mysql URL with a password',
      'src/mysql.ts',
      `export const url = 'mysql://app:${mixed(ALNUM, 20)}@mysql.internal:3306/app';\n`,
    ),
    item(
      'mongodb+srv URL with a password',
      'config/mongo.json',
      `${JSON.stringify({ uri: `mongodb+srv://app:${mixed(ALNUM, 20)}@cluster0.${randomFrom(LOWER, 5)}.mongodb.net/app` })}\n`,
    ),
    item(
      'redis URL with a password and no user',
      'config/redis.env',
      `REDIS_URL=redis://:${mixed(ALNUM, 24)}@cache.internal:6379/0\n`,
    ),
    item(
      'amqp URL with a password',
      'config/amqp.env',
      `AMQP_URL=amqps://app:${mixed(ALNUM, 20)}@mq.internal:5671/vhost\n`,
    ),
    item('.env *_SECRET', 'config/secret.env', `SESSION_SECRET=${mixed(`${ALNUM}+/`, 40)}\n`),
    item('.env *_TOKEN', '.env.production', `UPSTREAM_TOKEN="${mixed(ALNUM, 32)}"\n`),
    item('.env *_PASSWORD', '.env.local', `DB_PASSWORD=${mixed(`${ALNUM}!@#%^*_-`, 24)}\n`),
    item('.env *_API_KEY', 'deploy/.env', `export PAYMENTS_API_KEY=${mixed(ALNUM, 32)}\n`),
  ];
}

/** Every secret of the corpus, each in its own file. Needs openssl and ssh-keygen on PATH. */
export function secretCorpus(): CorpusItem[] {
  const directory = mkdtempSync(join(tmpdir(), 'secret-corpus-'));
  try {
    return [...keyItems(privateKeys(directory)), ...tokenItems()];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// Vendors' documented example values, assembled from parts so that this file does not hold them whole.
const AWS_EXAMPLE_KEY_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
const AWS_EXAMPLE_SECRET = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join('');
// Azurite's well-known development account key, published in Microsoft's storage emulator docs.
// In pieces too short to read as high-entropy strings to any scanner.
const AZURITE_ACCOUNT_KEY = [
  'Eby8vdM02xNOcqFl',
  'qUwJPLlmEtlCDXJ1',
  'OUzFT50uSRZ6IFsu',
  'Fq2UVErCz4I6tq/K',
  '1SZFPTOtr/KBHBek',
  'soGMGw==',
].join('');

/** High-entropy values that are not secrets, and near misses of every pattern the config adds. */
export function lookAlikeCorpus(): CorpusItem[] {
  const item = (name: string, path: string, content: string): CorpusItem => ({ name, path, content });
  const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');
  return [
    item(
      'lockfile integrity hashes',
      'vendor/package-lock.json',
      `${JSON.stringify(
        {
          lockfileVersion: 3,
          packages: Object.fromEntries(
            Array.from({ length: 5 }, (_, index) => [
              `node_modules/pkg-${index}`,
              {
                version: '1.0.0',
                resolved: `https://registry.npmjs.org/pkg-${index}/-/pkg-${index}-1.0.0.tgz`,
                integrity: `sha512-${sha512(randomBytes(64))}`,
              },
            ]),
          ),
        },
        null,
        2,
      )}\n`,
    ),
    item(
      'SHA digests',
      'docs/digests.md',
      `# Digests\n\n- commit ${randomFrom(HEX, 40)}\n- image sha256:${randomFrom(HEX, 64)}\n- file ${createHash('sha256').update(randomBytes(8)).digest('hex')}\n`,
    ),
    item(
      'UUIDs',
      'test/fixtures/ids.json',
      `${JSON.stringify({ requestId: randomUUID(), traceId: randomUUID(), ids: [randomUUID(), randomUUID()] })}\n`,
    ),
    item(
      'base64 test data',
      'test/fixtures/payload.ts',
      `export const payload = '${base64(96)}';\nexport const small = '${base64(24)}';\n`,
    ),
    item(
      "AWS's documented example key pair",
      'docs/aws-example.md',
      `# AWS example\n\n\`\`\`ini\naws_access_key_id = ${AWS_EXAMPLE_KEY_ID}\naws_secret_access_key = ${AWS_EXAMPLE_SECRET}\n\`\`\`\n`,
    ),
    item(
      "Azurite's documented development connection string",
      'config/azurite.env',
      `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"\nAZURE_STORAGE_CONNECTION_STRING_SHORT=UseDevelopmentStorage=true\n`,
    ),
    item('public keys and certificates', 'keys/public.txt', publicMaterial()),
    item(
      'near misses: key names without a value, references and placeholders',
      '.env.example',
      [
        'JWT_SECRET=',
        'SESSION_SECRET=${SESSION_SECRET}',
        'DB_PASSWORD=changeme',
        'UPSTREAM_TOKEN=<your-token-here>',
        'PAYMENTS_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx',
        'DD_API_KEY=${DD_API_KEY}',
        'MAILGUN_API_KEY=',
        'AWS_SESSION_TOKEN=',
        'DATABASE_URL=postgres://app@localhost:5432/app',
        'REDIS_URL=redis://localhost:6379/0',
        'AMQP_URL=amqp://app:${AMQP_PASSWORD}@localhost:5672',
        // RabbitMQ's documented default account.
        'AMQP_LOCAL_URL=amqp://guest:guest@localhost:5672',
        'MONGO_URL=mongodb://localhost:27017/app',
        '',
      ].join('\n'),
    ),
    item(
      'near misses: prefixes without the rest of the format',
      'src/near-miss.ts',
      [
        `export const tooShortGoogleKey = 'AIza${randomFrom(BASE64URL, 20)}';`,
        `export const notAClientSecret = '${randomFrom(LOWER, 6)}Q~';`,
        `export const twilioDocsPath = '/2010-04-01/Accounts/{AccountSid}/Messages.json';`,
        `export const stripeTestKeyName = 'sk_test_';`,
        `export const keyPrefixOnly = 'key-';`,
        `export const pemHeaderOnly = '-----BEGIN PRIVATE KEY-----';`,
        `export const sentryDsnWithoutSecret = 'https://${randomFrom(HEX, 32)}@o${randomFrom(DIGITS, 6)}.ingest.sentry.io/${randomFrom(DIGITS, 7)}';`,
        `export const gitSha = '${randomFrom(HEX, 40)}';`,
        `export const sendgridShapeTooShort = 'SG.${randomFrom(ALNUM, 12)}.${randomFrom(ALNUM, 20)}';`,
        `export const twilioShapeTooShort = 'SK${randomFrom(HEX, 31)}';`,
        `export const mailgunShapeTooShort = '${randomFrom(HEX, 32)}-${randomFrom(HEX, 8)}-${randomFrom(HEX, 7)}';`,
        `export const storageKeyWithoutItsName = '${base64(64)}';`,
        `export const dotEnvNameOutsideDotEnv = 'JWT_SECRET=${randomFrom(ALNUM, 40)}';`,
        '',
      ].join('\n'),
    ),
  ];
}

// Public halves are safe to commit; a scan that flags them would teach people to ignore it.
function publicMaterial(): string {
  const directory = mkdtempSync(join(tmpdir(), 'secret-corpus-public-'));
  try {
    tool('openssl', ['genpkey', '-algorithm', 'ED25519', '-out', 'key.pem'], directory);
    tool('openssl', ['pkey', '-in', 'key.pem', '-pubout', '-out', 'public.pem'], directory);
    tool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'corpus', '-f', 'ssh'], directory);
    return `${readFileSync(join(directory, 'public.pem'), 'utf8')}\n${readFileSync(join(directory, 'ssh.pub'), 'utf8')}`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
