/**
 * What every deploy script promises, whichever cloud it deploys to: it verifies the signature before
 * anything else, then the gate results and the accepted findings (OpenVEX) attested by the same pipeline run,
 * it fails when the service it deployed serves another commit or answers an error, and it
 * refuses a missing or malformed parameter with its usage before calling anything.
 */
import {
  COSIGN_VERIFY,
  FULL_SHA,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  OTHER_SHA,
  verifyCalls,
  gateAttestationLine,
  healthBody,
  vexAttestationLine,
  withOverrides,
} from './support.ts';
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

  test('verifies the accepted-findings (OpenVEX) attestation as it does the gate results, then deploys', async () => {
    const result = await deploy.run(deploy.env());
    expect(result.stderr).toContain(`accepted findings (OpenVEX) attestation verified for ${GHCR_IMAGE}`);
    expect(result.code).toBe(0);
    expect(deploy.sandbox.calls().slice(0, 3)).toEqual([...verifyCalls(GHCR_IMAGE)]);
    expect(deploy.server.requests).toHaveLength(1);
  });

  test.each([
    ['no OpenVEX attestation (the gate results alone)', [gateAttestationLine()]],
    [
      "a VEX statement typed with the document's @context, not cosign's openvex type",
      [gateAttestationLine(), vexAttestationLine({ predicateType: 'https://openvex.dev/ns/v0.2.0' })],
    ],
  ])('refuses an image with %s (exit 5), before the deploy', async (_case, lines) => {
    deploy.sandbox.attest(...lines);
    const result = await deploy.run(deploy.env());
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('none of the attestations matched the predicate type: openvex');
    expect(result.stderr).toContain(
      `REFUSED: no accepted-findings (OpenVEX) attestation signed by ${GITHUB_REPOSITORY}'s pipeline for ${GHCR_IMAGE}`,
    );
    expect(result.stdout).toBe('');
    expect(deploy.sandbox.calls()).toEqual([...verifyCalls(GHCR_IMAGE)]);
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
