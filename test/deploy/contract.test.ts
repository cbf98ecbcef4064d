/**
 * What every deploy script promises, whichever cloud it deploys to: it verifies the signature before
 * anything else, it fails when the service it deployed serves another commit or answers an error, and it
 * refuses a missing or malformed parameter with its usage before calling anything.
 */
import { COSIGN_VERIFY, FULL_SHA, GHCR_IMAGE, OTHER_SHA, healthBody, withOverrides } from './support.ts';
import { BEANSTALK, CLOUD_RUN, type DeployRun } from './targets.ts';

describe.each([CLOUD_RUN, BEANSTALK])('$script ($name)', (target) => {
  let deploy: DeployRun;
  beforeEach(async () => {
    deploy = await target.setUp();
  });
  afterEach(() => deploy.tearDown());

  test('a failing signature check stops everything before the deploy', async () => {
    const result = await deploy.run({ ...deploy.env(), FAKE_COSIGN_EXIT: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('signature verification failed: refusing to deploy');
    expect(deploy.sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE]]);
    expect(deploy.server.requests).toHaveLength(0);
  });

  test('fails when the deployed service reports another commit', async () => {
    deploy.server.answer = { status: 200, body: healthBody(OTHER_SHA) };
    const result = await deploy.run(deploy.env());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`expected ${FULL_SHA}`);
  });

  test.each([
    [500, '{}'],
    [502, ''],
  ])('fails when the deployed service answers HTTP %i', async (status, body) => {
    deploy.server.answer = { status, body };
    const result = await deploy.run(deploy.env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`answered HTTP ${status}`);
  });

  describe('refuses missing or malformed parameters before calling anything', () => {
    test.each(target.invalidParameters)('%s', async (_case, overrides, args = []) => {
      const result = await deploy.run(withOverrides(deploy.env(), overrides), args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Usage: deploy/${target.script}`);
      expect(result.stdout).toBe('');
      expect(deploy.sandbox.recordExists()).toBe(false);
      expect(deploy.server.requests).toHaveLength(0);
    });
  });
});
