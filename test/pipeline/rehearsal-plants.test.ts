// The rehearsal's plants (test/rehearsal/plants.mjs) and the judge of `npm run rehearse -- --prove-plants`
// (test/rehearsal/prove-plants.mjs), without a run: every plant still applies to this tree, once, and the
// judge refuses a run that did not fail, that failed for another reason, or that could not run at all.
// The runs themselves are `.ci/run`'s step "rehearsal plants each make it fail" (docs/rehearsal.md).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLANTS } from '../rehearsal/plants.mjs';
import { judge, judgeRun, planRuns } from '../rehearsal/prove-plants.mjs';

const ROOT = join(import.meta.dirname, '../..');

/** A run that exited 1 with this output, these checks and these failed steps. */
const failedRun = (output: string, checks: { name: string; ok: boolean }[], failedSteps: string[]) => ({
  status: 1,
  signal: null,
  output,
  result: { checks, failedSteps },
});

describe('each plant', () => {
  const copy = mkdtempSync(join(tmpdir(), 'plants-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test.each(PLANTS.map((plant) => [plant.name, plant]))(
    '%s applies to this tree and changes what it names',
    (_name, plant) => {
      const tree = join(copy, plant.name);
      for (const part of ['.github/workflows', 'docs/pipeline.md'])
        cpSync(join(ROOT, part), join(tree, part), { recursive: true });
      const before = (file: string) => readFileSync(join(ROOT, file), 'utf8');
      plant.apply(tree);
      const changed = [
        'docs/pipeline.md',
        ...['pipeline', 'security-gates', 'deploy-cloudrun', 'deploy-beanstalk'].map(
          (w) => `.github/workflows/${w}.yml`,
        ),
      ].filter((file) => readFileSync(join(tree, file), 'utf8') !== before(file));
      expect(changed.length).toBeGreaterThan(0);
      expect(['main', 'tag']).toContain(plant.only);
      expect(plant.bites.checks.length).toBeGreaterThan(0);
    },
  );
});

describe('the judge of a planted run', () => {
  const plant = PLANTS.find((candidate) => candidate.name === 'sbom-path')!;
  const step = plant.bites.steps[0]!;
  const bitten = failedRun(
    "cp: cannot stat '/tmp/runner/sbom.cdx.json': No such file or directory",
    [
      { name: 'the real tools are installed (act, cosign, …)', ok: true },
      { name: 'v1.2.3: job publish succeeded', ok: false },
      {
        name: 'v1.2.3: the release assets are the SBOM, the provenance and a Sigstore bundle for each',
        ok: false,
      },
    ],
    [step],
  );

  test('a run that failed at the planted step, on the planted checks, with the planted message, is proven', () => {
    expect(judge(plant, bitten)).toMatchObject({ ok: true, problems: [] });
  });

  test('a run that passed is a plant that does not bite', () => {
    const passed = {
      ...bitten,
      status: 0,
      result: { checks: [{ name: 'v1.2.3: job publish succeeded', ok: true }], failedSteps: [] },
    };
    expect(judge(plant, passed)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/did not bite/)],
    });
  });

  test('a run that also failed elsewhere (Prettier in the lint job) does not show the plant', () => {
    const elsewhere = {
      ...bitten,
      result: { ...bitten.result, failedSteps: [step, 'push-tag: gates/lint: Prettier'] },
    };
    expect(judge(plant, elsewhere).ok).toBe(false);
  });

  test('a run that failed without the planted message does not show the plant', () => {
    expect(judge(plant, { ...bitten, output: 'Error: 429 Too Many Requests' }).ok).toBe(false);
  });

  test('a rehearsal that could not run is an outage, never a proof', () => {
    const noAct = {
      ...bitten,
      result: {
        ...bitten.result,
        checks: [
          { name: 'the real tools are installed (act, cosign, …)', ok: false },
          ...bitten.result.checks.slice(1),
        ],
      },
    };
    expect(judge(plant, noAct)).toMatchObject({ ok: false, outage: true });
    expect(judge(plant, { ...bitten, result: undefined })).toMatchObject({ ok: false, outage: true });
  });
});

describe('the runs that prove the plants', () => {
  const byName = (name: string) => PLANTS.find((plant) => plant.name === name)!;
  const names = (runs: { name: string }[][]) => runs.map((run) => run.map((plant) => plant.name));

  test('plants of one event that name no common step share a run; the two release-step plants do not', () => {
    expect(names(planRuns(PLANTS))).toEqual([
      ['sbom-path'],
      ['half-published-silent'],
      ['deploy-no-login', 'checkov-version', 'trivy-cache-key'],
    ]);
  });

  test('a plant of another event, or naming a step of the run, gets a run of its own', () => {
    const deploy = byName('deploy-no-login');
    const sameStep = { ...byName('checkov-version'), bites: { ...deploy.bites, checks: [/^other/] } };
    const otherEvent = { ...byName('trivy-cache-key'), only: 'tag' };
    expect(planRuns([deploy, sameStep, otherEvent]).map((run) => run.length)).toEqual([1, 1, 1]);
  });

  const deploy = byName('deploy-no-login');
  const checkov = byName('checkov-version');
  const shared = failedRun(
    'Error: GET http://registry/v2/: UNAUTHORIZED\ncited: Checkov 3.3.8, ran: 3.3.13',
    [
      { name: 'deploy-cloudrun: the deploy job succeeds', ok: false },
      { name: 'deploy-beanstalk: the deploy job succeeds', ok: false },
      { name: "docs/pipeline.md's contract rows cite the Checkov that ran", ok: false },
    ],
    [...deploy.bites.steps],
  );

  test('a shared run proves each plant whose checks failed and whose message is in the output', () => {
    expect(judgeRun([deploy, checkov], shared).map((verdict) => verdict.ok)).toEqual([true, true]);
  });

  test('in a shared run, a plant that did not bite is not proven by the other failing', () => {
    const checkovPassed = {
      ...shared,
      output: 'UNAUTHORIZED',
      result: { ...shared.result, checks: shared.result.checks.slice(0, 2) },
    };
    const [deployVerdict, checkovVerdict] = judgeRun([deploy, checkov], checkovPassed);
    expect(deployVerdict?.ok).toBe(true);
    expect(checkovVerdict).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.stringMatching(/no failed check matches/)]),
    });
  });

  test("a shared run's failed steps must be exactly the union of its plants' own", () => {
    const extra = {
      ...shared,
      result: { ...shared.result, failedSteps: [...deploy.bites.steps, 'push-main: gates/lint: Prettier'] },
    };
    expect(judgeRun([deploy, checkov], extra).map((verdict) => verdict.ok)).toEqual([false, false]);
  });
});
