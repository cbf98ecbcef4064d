import {
  FULL_SHA,
  OTHER_SHA,
  healthBody,
  makeSandbox,
  makeTlsMaterial,
  restrictedBin,
  runScript,
  script,
  startHealthServer,
  type HealthServer,
  type Sandbox,
} from './support.ts';

const SMOKE_TEST = script('smoke-test.sh');
// One quick retry keeps the retry path exercised without slowing the suite.
const FAST = { SMOKE_TEST_RETRIES: '1', SMOKE_TEST_RETRY_DELAY: '1' };

let sandbox: Sandbox;
let server: HealthServer;

beforeEach(async () => {
  sandbox = makeSandbox();
  server = await startHealthServer();
});

afterEach(async () => {
  await server.close();
  sandbox.cleanup();
});

const smoke = (args: string[], env: Record<string, string> = {}, pathPrefix = sandbox.bin) =>
  runScript(SMOKE_TEST, args, { ...FAST, ...env }, pathPrefix);

describe('smoke-test.sh against a live health endpoint', () => {
  test('passes when /healthcheck answers 200 with the expected commit', async () => {
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.stderr).toContain(
      `OK: ${server.url}/healthcheck answers 200 with lastcommitsha ${FULL_SHA}`,
    );
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  test('accepts an abbreviated or upper-case expected commit and a trailing slash on the URL', async () => {
    const result = await smoke([`${server.url}/`, FULL_SHA.slice(0, 12).toUpperCase()]);
    expect(result.code).toBe(0);
  });

  test('fails when lastcommitsha is another commit', async () => {
    server.answer = { status: 200, body: healthBody(OTHER_SHA) };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`reports lastcommitsha ${OTHER_SHA}, expected ${FULL_SHA}`);
  });

  test('fails when only a prefix of the expected commit is reported', async () => {
    server.answer = { status: 200, body: healthBody(FULL_SHA.slice(0, 7)) };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
  });

  test('fails on a non-200 answer without retrying a client error', async () => {
    server.answer = { status: 404, body: healthBody(FULL_SHA) };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered HTTP 404, expected 200');
    expect(server.requests).toHaveLength(1);
  });

  test('retries a 503 and then fails', async () => {
    server.answer = { status: 503, body: '{}' };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered HTTP 503, expected 200');
    expect(server.requests).toHaveLength(2);
  });

  test('fails when nothing listens', async () => {
    const url = server.url;
    await server.close();
    const result = await smoke([url, FULL_SHA], { SMOKE_TEST_RETRIES: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no answer from');
  });

  test.each([
    ['not JSON', 'hello'],
    ['no myapplication', '{"status":"ok"}'],
    ['lastcommitsha not a string', '{"myapplication":[{"lastcommitsha":42}]}'],
  ])('fails when the answer has no lastcommitsha (%s)', async (_case, body) => {
    server.answer = { status: 200, body };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/did not report a lastcommitsha \(checked with (jq|node)\)/);
  });

  test('never writes what the endpoint sent into the log unless it is a plain hex value', async () => {
    server.answer = { status: 200, body: healthBody('::error::forged\u001b[31m') };
    const result = await smoke([server.url, FULL_SHA]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('::error');
    expect(result.stderr).not.toContain('\u001b');
  });

  test('sends a bearer token only when given one, and not on the command line', async () => {
    server.requiredToken = 'eyJhbGciOi.payload-part_1.sig'; // gitleaks:allow secretlint-disable-line -- made up
    const without = await smoke([server.url, FULL_SHA]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('answered HTTP 401');
    const withToken = await smoke([server.url, FULL_SHA], { SMOKE_TEST_BEARER_TOKEN: server.requiredToken });
    expect(withToken.code).toBe(0);
    expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${server.requiredToken}`);
  });

  test('reads the answer with node when jq is absent', async () => {
    const bin = restrictedBin(sandbox.dir, ['bash', 'dirname', 'mktemp', 'rm', 'tr', 'cat', 'curl', 'node']);
    const passing = await runScript(SMOKE_TEST, [server.url, FULL_SHA], { ...FAST, PATH: bin }, bin);
    expect(passing.stderr).toContain('OK:');
    expect(passing.code).toBe(0);

    server.answer = { status: 200, body: healthBody(OTHER_SHA) };
    const wrong = await runScript(SMOKE_TEST, [server.url, FULL_SHA], { ...FAST, PATH: bin }, bin);
    expect(wrong.code).toBe(1);

    server.answer = { status: 200, body: '{"myapplication":[]}' };
    const empty = await runScript(SMOKE_TEST, [server.url, FULL_SHA], { ...FAST, PATH: bin }, bin);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('checked with node');
  });

  test('works over HTTPS, trusting the certificate it is told to', async () => {
    const tls = makeTlsMaterial(sandbox.dir);
    const httpsServer = await startHealthServer(tls);
    try {
      const untrusted = await smoke([httpsServer.url, FULL_SHA], { SMOKE_TEST_RETRIES: '0' });
      expect(untrusted.code).toBe(1);
      const trusted = await smoke([httpsServer.url, FULL_SHA], { CURL_CA_BUNDLE: tls.certFile });
      expect(trusted.stderr).toContain('OK:');
      expect(trusted.code).toBe(0);
    } finally {
      await httpsServer.close();
    }
  });
});

describe('smoke-test.sh refuses bad arguments before making any request', () => {
  test.each<[string, string[], Record<string, string>]>([
    ['no arguments', [], {}],
    ['one argument', ['http://127.0.0.1:1'], {}],
    ['three arguments', ['http://127.0.0.1:1', FULL_SHA, 'extra'], {}],
    ['an ftp URL', ['ftp://127.0.0.1/x', FULL_SHA], {}],
    ['a URL with a query', ['http://127.0.0.1:1/?a=b', FULL_SHA], {}],
    ['a URL with credentials', ['http://user:pw@127.0.0.1:1', FULL_SHA], {}],
    ['a URL with a space', ['http://127.0.0.1:1/ x', FULL_SHA], {}],
    ['a commit with non-hex characters', ['http://127.0.0.1:1', 'xyz1234'], {}],
    ['a commit shorter than 7', ['http://127.0.0.1:1', 'abcdef'], {}],
    ['a commit longer than 40', ['http://127.0.0.1:1', `${FULL_SHA}0`], {}],
    ['a non-numeric retry count', ['http://127.0.0.1:1', FULL_SHA], { SMOKE_TEST_RETRIES: 'many' }],
    ['a retry delay with a unit', ['http://127.0.0.1:1', FULL_SHA], { SMOKE_TEST_RETRY_DELAY: '5s' }],
    [
      'a token that could break curl config quoting',
      ['http://127.0.0.1:1', FULL_SHA],
      { SMOKE_TEST_BEARER_TOKEN: 'a"b' },
    ],
  ])('%s', async (_case, args, env) => {
    const result = await runScript(SMOKE_TEST, args, env, sandbox.bin);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: deploy/smoke-test.sh <url> <expected-commit-sha>');
    expect(result.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });
});
