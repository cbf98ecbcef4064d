/**
 * The attestation's report readers (security/attestation/gate-results.ts) on report shapes the fixtures
 * of gate-attestation.test.ts do not have, each allowed by its format: a SARIF run with no results, a
 * result whose rule index points past the rules (then its id is used), one that names its rule only by
 * `rule.id`, one that names no rule at all (SARIF 2.1.0 §3.27.10: level "warning"); a ZAP report with no
 * site, a site with no alerts and an alert with a risk code ZAP does not define.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttestationInput,
  GATES,
  recordGate,
  REPORT_ARTIFACT_PREFIX,
} from '../../security/attestation/gate-results.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gate-attestation-edges-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(gateName: string, file: string, report: unknown) {
  const gate = GATES.find((candidate) => candidate.name === gateName);
  if (gate === undefined) throw new Error(`no attested gate ${gateName}`);
  const folder = join(dir, `${REPORT_ARTIFACT_PREFIX}${gateName}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, file), JSON.stringify(report));
  const input = {
    reportsDir: dir,
    results: { [gateName]: 'failure' },
    runUrl: 'https://github.com/acme/svc/actions/runs/1',
    lockfile: '{}',
  } as unknown as AttestationInput;
  return recordGate(gate, input);
}

describe('SARIF results and their rules', () => {
  it('counts by the rule found by index, else by id, else the result’s own level or "warning"', () => {
    const log = {
      version: '2.1.0',
      runs: [
        { tool: { driver: { name: 'CodeQL', version: '2.25.6' } } },
        {
          tool: {
            driver: {
              name: 'CodeQL',
              version: '2.25.6',
              rules: [
                { id: 'high-one', properties: { 'security-severity': '7.5' } },
                { id: 'errorish', defaultConfiguration: { level: 'error' } },
              ],
            },
          },
          results: [
            { ruleId: 'high-one', ruleIndex: 7, message: { text: 'index past the rules' } },
            { rule: { id: 'errorish' }, message: { text: 'named by rule.id' } },
            { message: { text: 'no rule at all' } },
          ],
        },
      ],
    };
    const codeql = record('codeql', 'javascript.sarif', log);
    expect(codeql.tool).toEqual({ name: 'CodeQL', version: '2.25.6' });
    expect(codeql.findings).toEqual({ total: 3, bySeverity: { high: 1, error: 1, warning: 1 } });
    expect(codeql.verdict).toBe('failed');
  });
});

describe('ZAP reports', () => {
  it('a report with no site has no finding', () => {
    const zap = record('zap', 'report_json.json', { '@programName': 'ZAP', '@version': '2.17.0' });
    expect(zap.findings).toEqual({ total: 0, bySeverity: {} });
  });

  it('a site with no alerts counts none; an undefined risk code is "unknown"; no program name is ZAP', () => {
    const zap = record('zap', 'report_json.json', {
      '@version': '2.17.0',
      site: [
        { '@name': 'http://a' },
        { '@name': 'http://b', alerts: [{ riskcode: '2' }, { riskcode: '9' }] },
      ],
    });
    expect(zap.tool).toEqual({ name: 'ZAP', version: '2.17.0' });
    expect(zap.findings).toEqual({ total: 2, bySeverity: { medium: 1, unknown: 1 } });
  });
});
