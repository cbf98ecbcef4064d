/**
 * The gate self-test must exercise the path CI takes, or a gate could bite in the self-test and not in
 * CI: Trivy through aquasecurity/trivy-action on the OCI layout deploy/oci-image.sh unpacks (not Trivy's
 * image on a `docker save` tar), and ZAP's baseline through zaproxy/action-baseline with fail_action
 * (not zap-baseline.py in a `docker run`), each with the gate's own inputs.
 */
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATES, ROOT } from './helpers.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}
const jobs = (file: string) =>
  (parse(readFileSync(join(ROOT, file), 'utf8')) as { jobs: Record<string, { steps: Step[] }> }).jobs;
const gates = jobs(GATES);
const selfTest = jobs('.github/workflows/gate-self-test.yml');
const using = (steps: Step[], action: string) => steps.filter((step) => step.uses?.startsWith(`${action}@`));
const without = (inputs: Record<string, unknown> | undefined, ...names: string[]) =>
  Object.fromEntries(Object.entries(inputs ?? {}).filter(([name]) => !names.includes(name)));

describe('the gate self-test takes the path CI takes', () => {
  test('Trivy: trivy-action on the unpacked OCI layout, the gate step with the gate inputs, expected to fail', () => {
    const steps = selfTest.trivy?.steps ?? [];
    expect(steps.some((step) => step.run?.includes('docker save'))).toBe(false);
    expect(steps.some((step) => step.run?.includes('deploy/oci-image.sh unpack'))).toBe(true);
    const ciGate = using(gates.trivy?.steps ?? [], 'aquasecurity/trivy-action').find(
      (step) => step.with?.['exit-code'] === '1',
    );
    const gate = using(steps, 'aquasecurity/trivy-action').find((step) => step.with?.['exit-code'] === '1');
    expect(gate).toBeDefined();
    expect(gate?.uses).toBe(ciGate?.uses);
    expect(without(gate?.with, 'input')).toEqual(without(ciGate?.with, 'input'));
    expect(gate?.['continue-on-error']).toBe(true);
    expect(
      steps.some(
        (step) =>
          step.run?.includes(`steps.${gate?.id}.outcome`) ||
          JSON.stringify(step).includes(`steps.${gate?.id}.outcome`),
      ),
    ).toBe(true);
  });

  test('ZAP baseline: action-baseline with the gate inputs and fail_action, expected to fail', () => {
    const steps = selfTest.zap?.steps ?? [];
    expect(steps.some((step) => step.run?.includes('zap-baseline.py'))).toBe(false);
    const [ciScan] = using(gates.zap?.steps ?? [], 'zaproxy/action-baseline');
    const [scan] = using(steps, 'zaproxy/action-baseline');
    expect(scan?.uses).toBe(ciScan?.uses);
    expect(scan?.with?.fail_action).toBe(true);
    // The target differs by design: the self-test scans its flawed variant's own server, not the service.
    expect(without(scan?.with, 'artifact_name', 'target')).toEqual(
      without(ciScan?.with, 'artifact_name', 'target'),
    );
    expect(scan?.with?.target).toMatch(/^http:\/\/localhost:\d+\//);
    expect(scan?.['continue-on-error']).toBe(true);
    expect(JSON.stringify(steps)).toContain(`steps.${scan?.id}.outcome`);
  });
});
