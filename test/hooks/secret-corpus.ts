// The secrets a template's scan must refuse, made fresh at run time from random material (keys by the
// real openssl and ssh-keygen), so this repository never stores anything secret-shaped for a scanner,
// a push protection or a reader to trip over. Each item is one file: a finding names the item.
// The look-alikes beside them are high-entropy strings that are not secrets and must pass.
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GITLEAKS_RULES,
  HAND_WRITTEN,
  fromPattern,
  randomBase64,
  sampleSecret,
  sha256Hex,
} from './gitleaks-rules.ts';

export interface CorpusItem {
  /** What the item is, for the test's name. */
  readonly name: string;
  /** Where it is committed, repository-relative; one item per path. */
  readonly path: string;
  readonly content: string | Buffer;
  /** The gitleaks rule (default config, or .gitleaks.toml's own) this item is the sample of. */
  readonly rule?: string;
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
      rule: 'private-key',
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
      rule: 'private-key',
    },
    {
      name: `${label} pasted into source`,
      path: `src/${slug(label)}-key.ts`,
      content: `export const signingKey = \`${pem}\`;\n`,
      rule: 'private-key',
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
      `AWS_SESSION_TOKEN=${['IQoJb3Jp', 'Z2luX2Vj'].join('')}${base64(300).replace(/=+$/, '')}\n`,
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
    return [
      ...keyItems(privateKeys(directory)),
      ...tokenItems(),
      ...gitleaksItems(directory),
      ...genericItems(),
    ];
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
      'references under secret names in TypeScript: process.env, a ${VAR} template',
      'src/settings.ts',
      [
        'export const apiKey = process.env.API_KEY;',
        "export const dbPassword = process.env['DB_PASSWORD'] ?? '';",
        'export const jwtSecret = `${process.env.JWT_SECRET}`;',
        "export const tokenHeader = 'Authorization';",
        '',
      ].join('\n'),
    ),
    item(
      'references, templates and digests under secret names in YAML',
      'config/deploy.yaml',
      [
        'database:',
        '  password: ${DB_PASSWORD}',
        '  token: "{{ .Values.apiToken }}"',
        '  secret_ref: ${{ secrets.DEPLOY_TOKEN }}',
        `  token_digest: sha256:${randomFrom(HEX, 64)}`,
        `image: registry.example.com/app@sha256:${randomFrom(HEX, 64)}`,
        `commit: ${randomFrom(HEX, 40)}`,
        `request_id: ${randomUUID()}`,
        '',
      ].join('\n'),
    ),
    item(
      'references in JSON',
      'config/client.json',
      `${JSON.stringify({ api_key: '${API_KEY}', password: '${DB_PASSWORD}', build: randomFrom(HEX, 40) }, null, 2)}\n`,
    ),
    item(
      'a Kubernetes Secret whose values come from templates',
      'deploy/k8s/templated-secret.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  password: {{ .Values.password | b64enc }}\nstringData:\n  token: ${APP_TOKEN}\n',
    ),
    item(
      'near misses: key names without a value, references and placeholders',
      '.env.example',
      [
        'JWT_SECRET=',
        'SESSION_SECRET=${SESSION_SECRET}',
        'DB_PASSWORD=changeme',
        'UPSTREAM_TOKEN=<your-token-here>',
        'PAYMENTS_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx',
        'SHIPPING_API_KEY=your-api-key-goes-here',
        'WEBHOOK_SECRET=replace-with-the-webhook-secret',
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
        `export const tooShortGoogleValue = 'AIza${randomFrom(BASE64URL, 20)}';`,
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
        `export const storageBlobWithoutItsName = '${base64(64)}';`,
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

// The formats a vendor key is written in: source, YAML, JSON and dotenv, in turn, so that every rule is
// also tried in a file type people keep configuration in.
function vendorKeyFile(id: string, index: number, name: string, secret: string): CorpusItem {
  const key = `${name}_token`;
  const formats: [string, string][] = [
    [`src/vendors/${id}.ts`, `export const settings = { ${JSON.stringify(key)}: '${secret}' };\n`],
    [`config/vendors/${id}.yaml`, `${key}: ${secret}\n`],
    [`config/vendors/${id}.json`, `${JSON.stringify({ [key]: secret }, null, 2)}\n`],
    [`config/vendors/${id}.env`, `${key}=${secret}\n`],
  ];
  const [path, content] = formats[index % formats.length] ?? formats[0]!;
  return { name: `gitleaks ${id}`, path, content, rule: id };
}

// A token whose format does not hold the rule's keyword sits under a key named after it (airtable_token:
// pat…), as it would in a real configuration.
function tokenFile(id: string, index: number, token: string, keywords: readonly string[]): CorpusItem {
  const held = keywords.length === 0 || keywords.some((keyword) => token.toLowerCase().includes(keyword));
  const key = held ? 'token' : `${(keywords[0] ?? '').replace(/[^a-z0-9]+/g, '_')}_token`;
  const formats: [string, string][] = [
    [`src/tokens/${id}.ts`, `export const settings = { ${key}: ${JSON.stringify(token)} };\n`],
    [`config/tokens/${id}.yaml`, `${key}: ${JSON.stringify(token)}\n`],
    [`config/tokens/${id}.env`, `${key.toUpperCase()}=${token}\n`],
  ];
  const [path, content] = formats[index % formats.length] ?? formats[0]!;
  return { name: `gitleaks ${id}`, path, content, rule: id };
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function jwt(): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ sub: randomFrom(DIGITS, 10), name: 'corpus', iat: Math.floor(Date.now() / 1000) }),
  );
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

/** A PKCS#12 bundle by the real openssl: gitleaks' pkcs12-file rule judges the path alone. */
function pkcs12(directory: string): Buffer {
  tool('openssl', ['genpkey', '-algorithm', 'ED25519', '-out', 'p12.key'], directory);
  tool(
    'openssl',
    ['req', '-x509', '-new', '-key', 'p12.key', '-subj', '/CN=corpus', '-days', '1', '-out', 'p12.crt'],
    directory,
  );
  tool(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-inkey',
      'p12.key',
      '-in',
      'p12.crt',
      '-passout',
      `pass:${randomFrom(ALNUM, 12)}`,
      '-out',
      'bundle.p12',
    ],
    directory,
  );
  return readFileSync(join(directory, 'bundle.p12'));
}

/** The samples written by hand: rules whose shape is a file, a command line or a path. */
function handWritten(directory: string): CorpusItem[] {
  const item = (rule: string, path: string, content: string | Buffer): CorpusItem => ({
    name: `gitleaks ${rule}`,
    path,
    content,
    rule,
  });
  const token = jwt();
  const bedrock = `bedrock-api-key-${Buffer.from(
    `${['bedrock', 'amazonaws', 'com'].join('.')}/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA${randomFrom(UPPER + DIGITS, 16)}&X-Amz-Signature=${sha256Hex(randomBytes(8))}&Version=1`,
  ).toString('base64')}`;
  const sentryClaims = {
    iat: Date.now() / 1000,
    url: 'https://sentry.io',
    region_url: 'https://us.sentry.io',
    org: `corpus-${randomFrom(LOWER, 6)}`,
  };
  return [
    item(
      'aws-amazon-bedrock-api-key-short-lived',
      'config/bedrock.env',
      `AWS_BEARER_TOKEN_BEDROCK=${bedrock}\n`,
    ),
    item(
      'curl-auth-header',
      'scripts/call-api.sh',
      `#!/bin/sh\n${['curl', '-sS', '-H', `"Authorization: Bearer ${randomFrom(ALNUM, 40)}"`, 'https://api.example.com/v1/items'].join(' ')}\n`,
    ),
    item(
      'curl-auth-user',
      'scripts/download.sh',
      `#!/bin/sh\n${['curl', '-sS', '--user', `"deploy:${mixed(ALNUM, 20)}"`, 'https://artifacts.example.com/app.tgz'].join(' ')}\n`,
    ),
    item(
      'freemius-secret-key',
      'wp-content/plugins/corpus/freemius.php',
      `<?php\n$config = array(\n  'secret_key' => 'sk_${randomFrom(ALNUM + '!#%&*+-.:;<=>?@^_|~', 29)}',\n);\n`,
    ),
    // Under `auth`, a name generic-api-key knows and secret-assignment does not: else the latter's finding
    // hides the former's (gitleaks keeps one finding per secret, the specific rule's). Drawn from letters
    // and digits that spell none of generic-api-key's stopwords (no vowels, h, m, v), which it would skip.
    item(
      'generic-api-key',
      'src/client.ts',
      `export const githubAuth = '${randomFrom('BCDFGJKLNPQRSTWXZbcdfgjklnpqrstwxz2346789', 32)}';\n`,
    ),
    item(
      'hashicorp-tf-password',
      'infra/database.tf',
      `resource "azurerm_mssql_server" "db" {\n  administrator_login_password = "${mixed(ALNUM, 18)}"\n}\n`,
    ),
    item('jwt', 'src/session.ts', `export const session = '${token}';\n`),
    item('jwt-base64', 'config/session.env', `SESSION_B64=${Buffer.from(token).toString('base64')}\n`),
    item(
      'kubernetes-secret-yaml',
      'deploy/k8s/db-secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${Buffer.from(mixed(ALNUM, 24)).toString('base64')}\n`,
    ),
    item(
      'nuget-config-password',
      'nuget.config',
      `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSourceCredentials>\n    <corpus>\n      <add key="Username" value="deploy" />\n      <add key="ClearTextPassword" value=${JSON.stringify(mixed(ALNUM, 20))} />\n    </corpus>\n  </packageSourceCredentials>\n</configuration>\n`,
    ),
    item('pkcs12-file', 'certs/client.p12', pkcs12(directory)),
    item(
      'sentry-org-token',
      'config/sentry.env',
      `SENTRY_AUTH_TOKEN=sntrys_${Buffer.from(JSON.stringify(sentryClaims)).toString('base64')}_${randomBase64(32).replace(/=+$/, '')}\n`,
    ),
  ];
}

/** One item per rule of gitleaks' default configuration (private-key: the key items above). */
export function gitleaksItems(directory: string): CorpusItem[] {
  const generated = Object.entries(GITLEAKS_RULES)
    .filter(([id]) => !HAND_WRITTEN.has(id))
    .map(([id, shape], index) =>
      shape.name
        ? vendorKeyFile(id, index, fromPattern(shape.name), sampleSecret(shape))
        : tokenFile(id, index, sampleSecret(shape), shape.keywords ?? []),
    );
  return [...generated, ...handWritten(directory)];
}

/** An SSH string (RFC 4251): a 4-byte length, then the bytes. */
const sshString = (data: Buffer | string) => {
  const bytes = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/**
 * A PuTTY private key file, format 3 unencrypted, as puttygen writes it (PuTTY's sshpubk.c: header lines,
 * the public and private blobs in base64 at 64 characters a line, then an HMAC-SHA-256 over both with an
 * empty key). The private half is random: the file has the real shape, not a working key pair.
 */
function puttyKey(): string {
  const algorithm = 'ssh-ed25519';
  const comment = 'corpus';
  const publicBlob = Buffer.concat([sshString(algorithm), sshString(randomBytes(32))]);
  const privateBlob = sshString(randomBytes(32));
  const mac = createHmac('sha256', Buffer.alloc(0))
    .update(
      Buffer.concat([
        sshString(algorithm),
        sshString('none'),
        sshString(comment),
        sshString(publicBlob),
        sshString(privateBlob),
      ]),
    )
    .digest('hex');
  const lines = (blob: Buffer) => blob.toString('base64').match(/.{1,64}/g) ?? [];
  const publicLines = lines(publicBlob);
  const privateLines = lines(privateBlob);
  return [
    `PuTTY-User-Key-File-3: ${algorithm}`,
    'Encryption: none',
    `Comment: ${comment}`,
    `Public-Lines: ${publicLines.length}`,
    ...publicLines,
    `Private-Lines: ${privateLines.length}`,
    ...privateLines,
    `Private-MAC: ${mac}`,
    '',
  ].join('\n');
}

/** An AWS secret access key whose last character is the one given (the `\b` ending missed these). */
const awsSecretEndingIn = (last: '+' | '/') => `${randomFrom(`${ALNUM}/+`, 39)}${last}`;

/**
 * High-entropy values under names that say they are secret, in each file type configuration lives in;
 * and the kinds a first user found missing (issue 25). Each names the rule of .gitleaks.toml (default or
 * ours) that refuses it.
 */
function genericItems(): CorpusItem[] {
  const item = (name: string, rule: string, path: string, content: string): CorpusItem => ({
    name,
    path,
    content,
    rule,
  });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    item(
      'JWT signing secret assigned in TypeScript',
      'generic-secret-assignment',
      'src/auth/jwt.ts',
      `export const jwtSecret = '${randomBytes(32).toString('base64url')}';\n`,
    ),
    item(
      'password in TypeScript',
      'generic-secret-assignment',
      'src/db.ts',
      `const dbPassword = "${mixed(ALNUM, 24)}";\nexport default dbPassword;\n`,
    ),
    item(
      'password in a YAML config',
      'generic-secret-assignment',
      'config/app.yaml',
      `database:\n  host: db.internal\n  user: app\n  password: ${mixed(ALNUM, 24)}\n`,
    ),
    item(
      'token in YAML',
      'generic-secret-assignment',
      'config/worker.yml',
      `worker:\n  token: ${mixed(ALNUM, 40)}\n`,
    ),
    item(
      'api_key and private_key in JSON',
      'generic-secret-assignment',
      'config/service.json',
      `${JSON.stringify({ api_key: mixed(ALNUM, 32), private_key: randomFrom(HEX, 64) }, null, 2)}\n`,
    ),
    item('secret in .env', 'generic-secret-assignment', 'config/app.env', `APP_SECRET=${mixed(ALNUM, 40)}\n`),
    item(
      'Kubernetes Secret manifest, data: (base64)',
      'kubernetes-secret-yaml',
      'deploy/k8s/api-secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ntype: Opaque\ndata:\n  api_token: ${b64(mixed(ALNUM, 32))}\n  password: ${b64(mixed(ALNUM, 20))}\n`,
    ),
    item(
      'Kubernetes Secret manifest, stringData:',
      'generic-secret-assignment',
      'deploy/k8s/string-secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\nstringData:\n  password: ${mixed(ALNUM, 24)}\n`,
    ),
    item(
      'PyPI upload token',
      'pypi-upload-token',
      '.pypirc',
      `[pypi]\nusername = __token__\npassword = ${['pypi-AgEI', 'cHlwaS5vcmc'].join('')}${randomBytes(60).toString('base64url')}\n`,
    ),
    item(
      'Terraform Cloud token',
      'hashicorp-tf-api-token',
      '.terraformrc',
      `credentials "app.terraform.io" {\n  token = "${randomFrom(ALNUM, 14)}.atlasv1.${randomFrom(`${ALNUM}-_`, 67)}"\n}\n`,
    ),
    item(
      'age secret key',
      'age-secret-key',
      'keys/age.txt',
      `# created: 2026-01-01T00:00:00Z\nAGE-SECRET-KEY-1${randomFrom('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}\n`,
    ),
    item('PuTTY private key', 'putty-private-key', 'keys/deploy.ppk', puttyKey()),
    item(
      'OpenAI project key ending in -',
      'openai-api-key-trailing-dash',
      'src/openai-dash.ts',
      `export const openaiKey = 'sk-proj-${randomFrom(BASE64URL, 74)}${['T3Blbk', 'FJ'].join('')}${randomFrom(BASE64URL, 73)}-';\n`,
    ),
    item(
      'Azure storage account key under AZURE_STORAGE_KEY',
      'azure-storage-account-key',
      'config/azure-storage.env',
      `AZURE_STORAGE_KEY=${randomBytes(64).toString('base64')}\n`,
    ),
    item(
      'cache URL with a password, in YAML',
      'url-credentials',
      'config/cache.yaml',
      `cache:\n  url: rediss://default:${mixed(ALNUM, 24)}@cache.internal:6380/0\n`,
    ),
    item(
      'AWS secret access key ending in +, in JSON',
      'aws-secret-access-key',
      'config/aws-plus.json',
      `${JSON.stringify({ aws_secret_access_key: awsSecretEndingIn('+') })}\n`,
    ),
    item(
      'AWS secret access key ending in /, in a credentials file',
      'aws-secret-access-key',
      'config/aws-slash',
      `[default]\naws_secret_access_key = ${awsSecretEndingIn('/')}\n`,
    ),
  ];
}
