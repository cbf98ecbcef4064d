/**
 * The publish job attests the accepted findings as OpenVEX (docs/pipeline.md, "Accepted findings as
 * signed VEX"): the document is built from .trivyignore before anything is pushed (an expired entry stops
 * the job while the registry holds nothing), and `cosign attest --type openvex` signs it keyless for the
 * pushed digest after the image is signed. What the document says and how Trivy reads it:
 * test/unit/vex.test.ts and test/gates/vex-trivy.test.ts.
 */
import { parse } from 'yaml';
import { edited, PIPELINE, workflowFile } from './helpers.ts';

interface Step {
  name?: string;
  id?: string;
  run?: string;
  env?: Record<string, string>;
}

const OUTPUT = '${{ runner.temp }}/vex/accepted-findings.openvex.json';

/** What is wrong with the publish job's VEX steps, one line each; empty when they hold. */
function vexProblems(text: string): string[] {
  const steps = (parse(text) as { jobs: { publish: { steps: Step[] } } }).jobs.publish.steps;
  const at = (test: (step: Step) => boolean) => steps.findIndex(test);
  const build = at((step) => step.run?.includes('node security/trivy/vex.ts') ?? false);
  const push = at((step) => step.id === 'push');
  const sign = at((step) => step.id === 'sign');
  const attest = at((step) => /cosign attest --yes --type openvex\b/.test(step.run ?? ''));
  const problems: string[] = [];
  if (build < 0) problems.push('no step runs security/trivy/vex.ts');
  else if (build > push) problems.push('the VEX document is built after the push');
  else if (!steps[build]?.run?.includes('--output "${RUNNER_TEMP}/vex/accepted-findings.openvex.json"'))
    problems.push('the VEX document is not written where the attest step reads it');
  if (attest < 0) problems.push('no step runs cosign attest --type openvex');
  else {
    const step = steps[attest];
    if (attest < sign) problems.push('the VEX is attested before the image is signed');
    if (!step?.run?.includes('--predicate "$VEX" "${IMAGE}@${DIGEST}"'))
      problems.push('cosign attest --type openvex does not attest $VEX to ${IMAGE}@${DIGEST}');
    if (step?.env?.VEX !== OUTPUT) problems.push(`VEX is not ${OUTPUT}`);
    if (step?.env?.DIGEST !== '${{ steps.push.outputs.digest }}')
      problems.push('the VEX is attested to another digest than the pushed one');
    if (step?.env?.IMAGE !== '${{ steps.push.outputs.image }}')
      problems.push('the VEX is attested to another image than the pushed one');
  }
  return problems;
}

describe('the publish job attests the accepted findings as OpenVEX', () => {
  it('holds for the committed pipeline', () => {
    expect(vexProblems(workflowFile(PIPELINE).text)).toEqual([]);
  });

  it.each([
    [
      'the attest step removed',
      (t: string) => t.replace('cosign attest --yes --type openvex', 'echo skipped'),
      'no step runs cosign attest --type openvex',
    ],
    [
      'the generator removed',
      (t: string) => t.replace('node security/trivy/vex.ts', 'echo'),
      'no step runs security/trivy/vex.ts',
    ],
    [
      'the candidate digest attested instead of the pushed one',
      (t: string) =>
        t.replace(
          'id: vex-attestation\n        env:\n          IMAGE: ${{ steps.push.outputs.image }}\n          DIGEST: ${{ steps.push.outputs.digest }}',
          'id: vex-attestation\n        env:\n          IMAGE: ${{ steps.push.outputs.image }}\n          DIGEST: ${{ needs.gates.outputs.image-digest }}',
        ),
      'the VEX is attested to another digest than the pushed one',
    ],
  ])('bites on %s', (_case, change, problem) => {
    const planted = edited(PIPELINE, change);
    expect(vexProblems(planted.text)).toEqual([problem]);
  });
});
