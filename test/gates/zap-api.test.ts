/**
 * The ZAP API scan gate: its verdict from zap-api-scan.py's exit code and JSON report, its one command
 * line shared by `npm run gates` and CI, its rules file, and its image (the baseline's). ZAP itself
 * cannot run here (no registry to pull it from), so this checks the wiring, not the scan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { zapApiScanArguments, zapApiVerdict } from '../../security/gates/containers.ts';
import { checkZapRules } from '../../security/workflow-policy/policy-files.ts';
import { ROOT } from './gate-sandbox.ts';
import { PINNED_BY_DIGEST } from '../../security/constants.ts';
import { expectZapApiSetup } from './zap-api-job.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// Alerts as the traditional JSON report writes them (zaproxy/zap-extensions
// addOns/reports/src/main/zapHomeFiles/reports/traditional-json/report.json): every value a string,
// one entry per alert name and risk, so the 4xx and 5xx alerts of id 100000 are separate entries.
const clientError = {
  pluginid: '100000',
  alertRef: '100000',
  alert: 'A Client Error response code was returned by the server',
  riskcode: '0',
  confidence: '3',
  riskdesc: 'Informational (High)',
};
const serverError = {
  ...clientError,
  alert: 'A Server Error response code was returned by the server',
  riskcode: '1',
  riskdesc: 'Low (High)',
};
const reflectedXss = {
  pluginid: '40012',
  alertRef: '40012',
  alert: 'Cross Site Scripting (Reflected)',
  riskcode: '3',
  confidence: '2',
  riskdesc: 'High (Medium)',
};

describe('verdict', () => {
  const target = 'http://127.0.0.1:5000';
  it('passes on exit 0 with only informational client-error alerts', () => {
    expect(zapApiVerdict(0, [clientError], target)).toEqual({ status: 'passed', findings: 1 });
  });
  it('fails on exit 1 (a FAIL rule) and names the alert', () => {
    const outcome = zapApiVerdict(1, [clientError, reflectedXss], target);
    expect(outcome.status).toBe('failed');
    expect(outcome.details).toContain(`${target} 40012 Cross Site Scripting (Reflected) (High (Medium))`);
  });
  it('fails on exit 2 (WARN only) and on exit 3 (error), saying which', () => {
    expect(zapApiVerdict(2, [], target).status).toBe('failed');
    expect(zapApiVerdict(3, [], target)).toMatchObject({
      status: 'failed',
      reason: 'zap-api-scan.py reported an error (exit 3)',
    });
  });
  it('fails on a 5xx even though alert 100000 is INFO in the rules', () => {
    expect(zapApiVerdict(0, [clientError, serverError], target)).toMatchObject({
      status: 'failed',
      reason: 'a crafted request got a 5xx answer (ZAP alert 100000 above informational)',
    });
  });
});

describe('command line', () => {
  const args = zapApiScanArguments('http://127.0.0.1:5000');
  it('passes the description, the format, the server override and the rules explicitly', () => {
    expect(args[0]).toBe('zap-api-scan.py');
    const valueOf = (flag: string) => args[args.indexOf(flag) + 1];
    expect(Object.fromEntries(['-t', '-f', '-O', '-c'].map((flag) => [flag, valueOf(flag)]))).toEqual({
      '-t': 'openapi.yaml',
      '-f': 'openapi',
      '-O': 'http://127.0.0.1:5000',
      '-c': 'api-rules.tsv',
    });
    // -I would let WARN pass; -S (safe mode) would skip the active scan altogether.
    expect(args).not.toContain('-I');
    expect(args).not.toContain('-S');
  });

  interface Step {
    run?: string;
  }
  const workflow = parse(read('.github/workflows/security-gates.yml')) as {
    jobs: Record<string, { needs?: string; steps: Step[] }>;
  };
  const job = workflow.jobs['zap-api'];
  const script = (job?.steps ?? []).map((step) => step.run ?? '').join('\n');

  it('CI runs the same command line, in the pinned image, on the scanned artifact', () => {
    expect(job?.needs).toBe('build');
    // CI's server is the port src/service.json names, read by the step that starts the service.
    const inCi = zapApiScanArguments('"http://127.0.0.1:${SERVICE_PORT}"');
    expect(script.replace(/\\\n\s*/g, '')).toContain(inCi.join(' '));
    expectZapApiSetup(script, 'docs/openapi.yaml');
    // The 5xx check of the verdict, in CI.
    expect(script).toContain('select(.pluginid == "100000" and .riskcode != "0")');
    expect(script).toContain('--read-only --cap-drop ALL --security-opt no-new-privileges');
  });

  it('uses the same ZAP image as the baseline', () => {
    const images = JSON.parse(read('security/gates/images.json')) as Record<string, { reference: string }>;
    expect(images.zap?.reference).toMatch(/^ghcr\.io\/zaproxy\/zaproxy:[\w.]+@/);
    expect(images.zap?.reference).toMatch(PINNED_BY_DIGEST);
    // Where the baseline names its image (action-baseline's docker_name), it must be this one.
    const baseline = (workflow.jobs.zap?.steps ?? []) as { uses?: string; with?: Record<string, string> }[];
    for (const step of baseline.filter((each) => each.uses?.startsWith('zaproxy/action-baseline@'))) {
      const dockerName = step.with?.docker_name;
      if (dockerName !== undefined) expect(dockerName).toBe(images.zap?.reference);
    }
  });
});

describe('rules file', () => {
  const source = read('security/zap/api-rules.tsv');
  const levels = new Map(
    source
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line): [string, string] => {
        const [id = '', level = ''] = line.split('\t');
        return [id, level];
      }),
  );
  it('is well-formed as zap_common.load_config reads it', () => {
    expect(checkZapRules('security/zap/api-rules.tsv', source)).toEqual([]);
  });
  it('switches no active rule off (IGNORE turns the scanner OFF in zap-api-scan.py)', () => {
    expect([...levels.values()]).not.toContain('IGNORE');
  });
  it('fails on injection and reflection, and on what the baseline fails on', () => {
    for (const id of ['40012', '40018', '90020', '6', '40003', '100001']) expect(levels.get(id)).toBe('FAIL');
    const baseline = read('security/zap/rules.tsv')
      .split('\n')
      .filter((line) => /^\d+\tFAIL\t/.test(line))
      .map((line) => line.split('\t')[0]);
    for (const id of baseline) expect(levels.get(id ?? '')).toBe('FAIL');
    expect(levels.get('100000')).toBe('INFO');
  });
});
