/* eslint-disable @typescript-eslint/no-explicit-any --
   parsed YAML and report JSON are untyped; the assertions below are the type check. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  buildPredicate,
  GATES,
  gatesField,
  main,
  REPORT_ARTIFACT_PREFIX,
  VSA_PREDICATE_TYPE,
  type AttestationInput,
  type GateRecord,
} from '../../security/attestation/gate-results.ts';
import { GATES as GATES_WORKFLOW, PIPELINE, ROOT, workflowFile } from './helpers.ts';

// Reports shaped as each tool writes them: ESLint's and jest's were written by the real tools here; npm
// audit's follows @npmcli/arborist audit-report.js toJSON (the audit endpoint cannot be reached here);
// CodeQL's, Trivy's, Checkov's and ZAP's follow their writers (docs/gate-attestation.md lists the sources);
// hadolint's was written by hadolint 2.15.1 here, on the project's Dockerfile.
const FIXTURES = join(ROOT, 'test', 'fixtures', 'gate-reports');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REPOSITORY = 'Acme/svc.api';
const SERVER = 'https://github.com';
const FIELD = gatesField(SERVER, REPOSITORY);
const allSucceeded = Object.fromEntries(GATES.map((gate) => [gate.name, 'success']));
const lockfile = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
const jestVersion = (JSON.parse(lockfile) as { packages: Record<string, { version?: string }> }).packages[
  'node_modules/jest'
]?.version;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gate-attestation-'));
  cpSync(FIXTURES, join(dir, 'reports'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const input = (overrides: Partial<AttestationInput> = {}): AttestationInput => ({
  reportsDir: join(dir, 'reports'),
  results: allSucceeded,
  image: 'ghcr.io/acme/svc.api',
  digest: DIGEST,
  repository: REPOSITORY,
  commit: '0123456789abcdef0123456789abcdef01234567',
  serverUrl: SERVER,
  runUrl: `${SERVER}/${REPOSITORY}/actions/runs/42`,
  policyFile: 'jobs: {}\n',
  lockfile,
  timeVerified: '2026-11-27T10:00:00.000Z',
  ...overrides,
});
const gatesOf = (predicate: Record<string, unknown>): GateRecord[] => predicate[FIELD] as GateRecord[];
const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const report = (gate: string, name: string) => join(dir, 'reports', `${REPORT_ARTIFACT_PREFIX}${gate}`, name);
/** The input after one report file is replaced by `text`, or removed. */
const withReport = (gate: string, name: string, text: string) => () => {
  writeFileSync(report(gate, name), text);
  return input();
};
const withoutReport = (gate: string, name: string) => () => {
  rmSync(report(gate, name));
  return input();
};

describe('the gate-results predicate (SLSA VSA v1)', () => {
  test('carries the VSA fields, for the pushed digest', () => {
    const predicate = buildPredicate(input());
    expect(predicate).toMatchObject({
      verifier: { id: `${SERVER}/${REPOSITORY}/.github/workflows/pipeline.yml` },
      timeVerified: '2026-11-27T10:00:00.000Z',
      resourceUri: `oci://ghcr.io/acme/svc.api@${DIGEST}`,
      policy: {
        uri: `${SERVER}/${REPOSITORY}/blob/0123456789abcdef0123456789abcdef01234567/.github/workflows/security-gates.yml`,
        digest: {
          sha256: createHash('sha256').update('jobs: {}\n').digest('hex'),
          gitCommit: '0123456789abcdef0123456789abcdef01234567',
        },
      },
      verificationResult: 'PASSED',
      verifiedLevels: ['SLSA_BUILD_LEVEL_UNEVALUATED'],
    });
  });

  test('records every gate: tool and version, report digests, findings by severity, verdict', () => {
    const gates = gatesOf(buildPredicate(input()));
    expect(gates.map((gate) => gate.name)).toEqual([
      'lint',
      'test',
      'dependencies',
      'osv-scanner',
      'codeql',
      'trivy',
      'checkov',
      'zizmor',
      'actionlint',
      'hadolint',
      'zap',
      'zap-api',
      'secrets-history',
    ]);
    const byName = Object.fromEntries(gates.map((gate) => [gate.name, gate]));
    expect(Object.fromEntries(gates.map((gate) => [gate.name, gate.tool]))).toEqual({
      lint: { name: 'ESLint', version: '10.15.0' },
      test: { name: 'jest', version: jestVersion },
      dependencies: { name: 'npm audit', version: '11.19.1' },
      'osv-scanner': { name: 'osv-scanner', version: '2.6.0' },
      codeql: { name: 'CodeQL', version: '2.25.6' },
      trivy: { name: 'Trivy', version: '0.70.0' },
      checkov: { name: 'Checkov', version: '3.3.13' },
      zizmor: { name: 'zizmor', version: '1.32.0' },
      actionlint: { name: 'actionlint', version: 'v1.7.12' },
      hadolint: { name: 'Hadolint', version: '2.15.1' },
      zap: { name: 'ZAP', version: '2.16.1' },
      'zap-api': { name: 'ZAP', version: '2.16.1' },
      'secrets-history': { name: 'gitleaks', version: '8.30.1' },
    });
    expect(Object.fromEntries(gates.map((gate) => [gate.name, gate.findings]))).toEqual({
      lint: { total: 0, bySeverity: {} },
      test: { total: 0, bySeverity: {} },
      dependencies: { total: 0, bySeverity: {} },
      'osv-scanner': { total: 0, bySeverity: {} },
      // A rule without security-severity keeps its SARIF level; the CodeQL rule sits in an extension.
      codeql: { total: 1, bySeverity: { note: 1 } },
      trivy: { total: 2, bySeverity: { medium: 1, low: 1 } },
      checkov: { total: 0, bySeverity: {} },
      zizmor: { total: 0, bySeverity: {} },
      actionlint: { total: 0, bySeverity: {} },
      hadolint: { total: 0, bySeverity: {} },
      zap: { total: 1, bySeverity: { informational: 1 } },
      'zap-api': { total: 1, bySeverity: { informational: 1 } },
      'secrets-history': { total: 0, bySeverity: {} },
    });
    expect(gates.every((gate) => gate.verdict === 'passed')).toBe(true);
    expect(byName.trivy?.reports).toEqual([
      {
        name: 'trivy.sarif',
        uri: `${SERVER}/${REPOSITORY}/actions/runs/42`,
        digest: { sha256: sha256Of(report('trivy', 'trivy.sarif')) },
        annotations: { artifact: 'gate-report-trivy' },
      },
    ]);
    expect(byName.dependencies?.reports.map((file) => file.name)).toEqual([
      'npm-audit.json',
      'npm-version.txt',
    ]);
    expect(predicateVersions(buildPredicate(input()))).toMatchObject({ Trivy: '0.70.0', ZAP: '2.16.1' });
  });

  test('a changed report changes its digest', () => {
    const before = gatesOf(buildPredicate(input())).find((gate) => gate.name === 'checkov');
    writeFileSync(
      report('checkov', 'results_sarif.sarif'),
      readFileSync(report('checkov', 'results_sarif.sarif'), 'utf8') + ' ',
    );
    const after = gatesOf(buildPredicate(input())).find((gate) => gate.name === 'checkov');
    expect(after?.reports[0]?.digest.sha256).not.toBe(before?.reports[0]?.digest.sha256);
  });

  test('counts severities as the tools rate them', () => {
    const sarif = JSON.parse(readFileSync(report('codeql', 'javascript.sarif'), 'utf8')) as {
      runs: { results: object[] }[];
    };
    // The security rule (security-severity 7.8) is index 0 of the extension: high, whatever its level.
    sarif.runs[0]?.results.push({
      ruleId: 'js/reflected-xss',
      rule: { id: 'js/reflected-xss', index: 0, toolComponent: { index: 0 } },
      message: { text: 'XSS' },
    });
    writeFileSync(report('codeql', 'javascript.sarif'), JSON.stringify(sarif));
    // Trivy rates this one CRITICAL while its vendor's CVSS (security-severity) says 7.5: Trivy's counts.
    const trivy = JSON.parse(readFileSync(report('trivy', 'trivy.sarif'), 'utf8')) as {
      runs: { tool: { driver: { rules: { id: string; properties: object }[] } }; results: object[] }[];
    };
    const trivyRun = trivy.runs[0];
    trivyRun?.tool.driver.rules.push({
      ...trivyRun.tool.driver.rules[0],
      id: 'CVE-2025-0003',
      properties: {
        precision: 'very-high',
        'security-severity': '7.5',
        tags: ['vulnerability', 'security', 'CRITICAL'],
      },
    });
    trivyRun?.results.push({ ruleId: 'CVE-2025-0003', ruleIndex: 2, level: 'error', message: { text: 'x' } });
    writeFileSync(report('trivy', 'trivy.sarif'), JSON.stringify(trivy));
    const zap = JSON.parse(readFileSync(report('zap', 'report_json.json'), 'utf8')) as {
      site: { alerts: object[] }[];
    };
    zap.site[0]?.alerts.push({ ...zap.site[0].alerts[0], riskcode: '3' });
    writeFileSync(report('zap', 'report_json.json'), JSON.stringify(zap));
    const audit = JSON.parse(readFileSync(report('dependencies', 'npm-audit.json'), 'utf8'));
    audit.metadata.vulnerabilities = {
      ...audit.metadata.vulnerabilities,
      moderate: 2,
      critical: 1,
      total: 3,
    };
    writeFileSync(report('dependencies', 'npm-audit.json'), JSON.stringify(audit));
    const jest = JSON.parse(readFileSync(report('test', 'jest-results.json'), 'utf8'));
    writeFileSync(report('test', 'jest-results.json'), JSON.stringify({ ...jest, numFailedTests: 2 }));

    const findings = Object.fromEntries(
      gatesOf(buildPredicate(input())).map((gate) => [gate.name, gate.findings]),
    );
    expect(findings.codeql).toEqual({ total: 2, bySeverity: { note: 1, high: 1 } });
    expect(findings.trivy).toEqual({ total: 3, bySeverity: { medium: 1, low: 1, critical: 1 } });
    expect(findings.zap).toEqual({ total: 2, bySeverity: { informational: 1, high: 1 } });
    expect(findings.dependencies).toEqual({ total: 3, bySeverity: { critical: 1, moderate: 2 } });
    expect(findings.test).toEqual({ total: 2, bySeverity: { failed: 2 } });
  });

  test('a gate whose job did not succeed is recorded as failed, and the summary FAILED', () => {
    const predicate = buildPredicate(input({ results: { ...allSucceeded, zap: 'failure' } }));
    expect(predicate.verificationResult).toBe('FAILED');
    expect(predicate.verifiedLevels).toEqual(['FAILED']);
    expect(gatesOf(predicate).find((gate) => gate.name === 'zap')?.verdict).toBe('failed');
    expect(gatesOf(predicate).filter((gate) => gate.verdict === 'failed')).toHaveLength(1);
  });

  test.each([
    [
      'a missing job result',
      () => input({ results: { ...allSucceeded, trivy: '' } }),
      'gate trivy: no job result given',
    ],
    [
      'a missing artifact',
      () => {
        rmSync(join(dir, 'reports', 'gate-report-checkov'), { recursive: true });
        return input();
      },
      'gate checkov: artifact gate-report-checkov was not downloaded',
    ],
    [
      'an artifact without its report',
      () => {
        rmSync(report('zap', 'report_json.json'));
        return input();
      },
      'gate zap: artifact gate-report-zap holds no report',
    ],
    [
      'a SARIF without the tool version',
      () => {
        const sarif = JSON.parse(readFileSync(report('trivy', 'trivy.sarif'), 'utf8'));
        delete sarif.runs[0].tool.driver.version;
        writeFileSync(report('trivy', 'trivy.sarif'), JSON.stringify(sarif));
        return input();
      },
      'gate trivy: the SARIF names no tool version',
    ],
    [
      // What `npm audit --json` writes when the audit endpoint fails (seen here: 405 from the registry).
      'an npm audit error instead of a report',
      () => {
        writeFileSync(
          report('dependencies', 'npm-audit.json'),
          '{"message":"405 Method Not Allowed","statusCode":405}',
        );
        return input();
      },
      'gate dependencies: npm-audit.json has no metadata.vulnerabilities',
    ],
    // CodeQL writes one SARIF per language; any of them may be broken.
    [
      'a second SARIF file that is no SARIF log',
      withReport('codeql', 'other.sarif', '{"version":"2.1.0"}'),
      'gate codeql: not a SARIF log: no "runs" array',
    ],
    [
      'a ZAP report without its version',
      withReport('zap-api', 'zap-api.json', '{"@programName":"ZAP","site":[]}'),
      'gate zap-api: the ZAP report names no version ("@version")',
    ],
    [
      'npm audit without npm-version.txt beside it',
      withoutReport('dependencies', 'npm-version.txt'),
      'gate dependencies: npm-version.txt is missing or malformed',
    ],
    [
      'only npm-version.txt, no audit',
      withoutReport('dependencies', 'npm-audit.json'),
      'gate dependencies: npm-audit.json is missing',
    ],
    [
      'jest results without numFailedTests',
      withReport('test', 'jest-results.json', '{"success":true}'),
      'gate test: jest results have no numFailedTests',
    ],
    [
      'a lockfile that pins no jest',
      () => input({ lockfile: '{"packages":{}}' }),
      'gate test: package-lock.json pins no jest version',
    ],
    ['a report that is not JSON', withReport('checkov', 'results_sarif.sarif', 'not json'), 'gate checkov: '],
    ['a tag instead of a digest', () => input({ digest: 'latest' }), 'the digest must be sha256:<64 hex>'],
  ])('refuses %s', (_case, make, message) => {
    expect(() => buildPredicate(make())).toThrow(message);
  });
});

function predicateVersions(predicate: { verifier: { version: Record<string, string> } }) {
  return predicate.verifier.version;
}

/** What the publish job hands the builder: GitHub's variables, every gate's result, and its flags. */
const CLI_ENV = {
  GITHUB_REPOSITORY: REPOSITORY,
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_SERVER_URL: SERVER,
  GITHUB_RUN_ID: '42',
  GATE_OUTPUTS: JSON.stringify(Object.fromEntries(GATES.map((gate) => [`${gate.name}-result`, 'success']))),
};
const cliArgs = (...more: string[]) => [
  '--reports',
  join(dir, 'reports'),
  '--image',
  'ghcr.io/acme/svc.api',
  '--digest',
  DIGEST,
  ...more,
];

describe('security/gate-attestation.ts (the CLI the publish job runs)', () => {
  const SCRIPT = join(ROOT, 'security', 'gate-attestation.ts');
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [SCRIPT, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
    });
  const githubEnv = CLI_ENV;
  const args = () => cliArgs('--output', join(dir, 'predicate.json'));

  test('writes the predicate, with the policy digest of this checkout', () => {
    const result = run(args(), githubEnv);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const predicate = JSON.parse(readFileSync(join(dir, 'predicate.json'), 'utf8'));
    expect(predicate.verificationResult).toBe('PASSED');
    expect(predicate.policy.digest.sha256).toBe(sha256Of(join(ROOT, GATES_WORKFLOW)));
    expect(predicate[FIELD]).toHaveLength(GATES.length);
  });

  test('exits 1 naming the gate whose result is missing', () => {
    const outputs = Object.fromEntries(GATES.map((gate) => [`${gate.name}-result`, 'success']));
    const result = run(args(), {
      ...githubEnv,
      GATE_OUTPUTS: JSON.stringify({ ...outputs, 'codeql-result': '' }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('gate codeql: no job result given');
  });

  test('exits 2 on missing flags or GitHub variables, naming them', () => {
    const result = run([], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing --reports, --image, --digest, --output, GITHUB_REPOSITORY');
    expect(result.stderr).toContain('GATE_OUTPUTS');
  });

  test('exits 1 naming GATE_OUTPUTS when it is not a JSON object', () => {
    const result = run(args(), { ...githubEnv, GATE_OUTPUTS: '["lint-result"]' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GATE_OUTPUTS is not a JSON object');
  });
});

// The publish job, the gate jobs and the builder must agree on the artifact names and the results.
describe('the workflows feed the builder every gate', () => {
  type Json = Record<string, any>;
  const pipeline = parse(workflowFile(PIPELINE).text) as Json;
  const gates = parse(workflowFile(GATES_WORKFLOW).text) as Json;
  const publishSteps = pipeline.jobs.publish.steps as Json[];
  const uses = (step: Json, action: string) => String(step.uses ?? '').startsWith(`${action}@`);

  test.each(GATES.map((gate) => gate.name))(
    'gate %s uploads its report and publish receives its result',
    (name) => {
      const upload = (gates.jobs[name].steps as Json[]).filter(
        (step) =>
          uses(step, 'actions/upload-artifact') && step.with?.name === `${REPORT_ARTIFACT_PREFIX}${name}`,
      );
      expect(upload).toHaveLength(1);
      expect(upload[0]?.if).toBe('${{ !cancelled() }}');
      const build = publishSteps.find((step) =>
        String(step.run ?? '').includes('security/gate-attestation.ts'),
      );
      // Every gate output reaches the builder at once, which reads `<name>-result` for each gate.
      expect(build?.env.GATE_OUTPUTS).toBe('${{ toJSON(needs.gates.outputs) }}');
      expect(gates.on.workflow_call.outputs[`${name}-result`].value).toBe(`\${{ jobs.${name}.result }}`);
    },
  );

  // A new gate job that the attestation does not record would let an image skip it unnoticed by deploys.
  test('records every gate job of security-gates.yml (build excepted: its product is the subject)', () => {
    const jobs = Object.keys(gates.jobs as Json).filter((job) => job !== 'build');
    expect(GATES.map((gate) => gate.name).sort()).toEqual(jobs.sort());
  });

  // Built before the push (a report that cannot be read stops publish while the registry holds nothing),
  // attested after the signature, for the pushed digest.
  test('publish downloads the reports and builds the predicate before the push, then attests it for the pushed digest', () => {
    const index = (test: (step: Json) => boolean) => publishSteps.findIndex(test);
    const sign = index((step) => String(step.run ?? '').includes('cosign sign --yes'));
    const push = index((step) => String(step.run ?? '').includes('deploy/oci-image.sh push'));
    const download = index(
      (step) =>
        uses(step, 'actions/download-artifact') && step.with?.pattern === `${REPORT_ARTIFACT_PREFIX}*`,
    );
    const build = index((step) => String(step.run ?? '').includes('security/gate-attestation.ts'));
    const attest = index((step) =>
      String(step.run ?? '').includes(`cosign attest --yes --type ${VSA_PREDICATE_TYPE}`),
    );
    expect(sign).toBeGreaterThan(-1);
    expect([build > download, push > build, attest > sign, sign > push]).toEqual([true, true, true, true]);
    expect(publishSteps[build]?.env).toMatchObject({ DIGEST: '${{ needs.gates.outputs.image-digest }}' });
    expect(publishSteps[download]?.with.path).toBe('${{ runner.temp }}/gate-reports');
    expect(publishSteps[download]?.with['merge-multiple']).toBeUndefined();
    expect(publishSteps[attest]?.run).toContain('"${IMAGE}@${DIGEST}"');
    expect(publishSteps[attest]?.env).toMatchObject({
      IMAGE: '${{ steps.push.outputs.image }}',
      DIGEST: '${{ steps.push.outputs.digest }}',
    });
    expect(pipeline.jobs.publish.permissions['id-token']).toBe('write');
  });

  test('the deploy scripts verify the predicate type the publish job attests', () => {
    const lib = readFileSync(join(ROOT, 'deploy', 'lib.sh'), 'utf8');
    expect(lib).toContain(`readonly GATE_PREDICATE_TYPE='${VSA_PREDICATE_TYPE}'`);
    expect(lib).toContain(
      'local field="https://github.com/${repository}/.github/workflows/security-gates.yml"',
    );
    expect(gatesField('https://github.com', '${repository}')).toBe(
      'https://github.com/${repository}/.github/workflows/security-gates.yml',
    );
  });
});

// The same CLI in process (the child-process tests above prove the real entry file; these reach every
// branch of main(), which Jest counts only in process).
describe('main() of the gate-results builder', () => {
  const env = CLI_ENV;
  const argv = () => cliArgs();
  let errors: string[];
  let logs: string[];
  beforeEach(() => {
    errors = [];
    logs = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  test('writes a FAILED predicate when a gate failed, and says so', () => {
    const output = join(dir, 'predicate.json');
    const outputs = { ...JSON.parse(env.GATE_OUTPUTS), 'trivy-result': 'failure' };
    expect(
      main([...argv(), '--output', output], { ...env, GATE_OUTPUTS: JSON.stringify(outputs) }, ROOT),
    ).toBe(0);
    const predicate = JSON.parse(readFileSync(output, 'utf8')) as Record<string, unknown>;
    expect(predicate.verificationResult).toBe('FAILED');
    expect(predicate.resourceUri).toBe(`oci://ghcr.io/acme/svc.api@${DIGEST}`);
    expect(gatesOf(predicate).find((gate) => gate.name === 'trivy')?.verdict).toBe('failed');
    expect(logs.join('\n')).toContain('gate-attestation: FAILED for ghcr.io/acme/svc.api@');
  });

  test('exits 2 on an unknown flag, with the usage', () => {
    expect(main([...argv(), '--output', 'x', '--sign'], env, ROOT)).toBe(2);
    expect(errors.join('\n')).toMatch(
      /gate-attestation: .*--sign[\s\S]*usage: node security\/gate-attestation\.ts/,
    );
  });

  test('exits 2 naming only what is missing', () => {
    const withoutOutputs: Record<string, string | undefined> = { ...env };
    delete withoutOutputs.GATE_OUTPUTS;
    expect(main(argv(), withoutOutputs, ROOT)).toBe(2);
    expect(errors[0]).toMatch(/^gate-attestation: missing --output, GATE_OUTPUTS\n/);
  });

  test('exits 1 naming the gate whose result the outputs lack', () => {
    const outputs = JSON.parse(env.GATE_OUTPUTS) as Record<string, string>;
    delete outputs['zap-api-result'];
    const result = main(
      [...argv(), '--output', join(dir, 'p.json')],
      { ...env, GATE_OUTPUTS: JSON.stringify(outputs) },
      ROOT,
    );
    expect(result).toBe(1);
    expect(errors).toEqual(['gate-attestation: gate zap-api: no job result given']);
  });
});

describe('ZAP, npm audit and jest counts in the record', () => {
  test('reads riskcodes by name (an unknown one as unknown), npm counts by severity, and failed tests', () => {
    writeFileSync(
      report('zap', 'report_json.json'),
      JSON.stringify({
        '@version': '2.17.0',
        site: [{ alerts: [{ riskcode: '3' }, { riskcode: '0' }, { riskcode: '9' }] }, {}],
      }),
    );
    writeFileSync(
      report('dependencies', 'npm-audit.json'),
      JSON.stringify({ metadata: { vulnerabilities: { critical: 1, high: 0, moderate: 2 } } }),
    );
    writeFileSync(report('test', 'jest-results.json'), JSON.stringify({ numFailedTests: 4 }));
    const records = gatesOf(buildPredicate(input()));
    const byName = (name: string) => records.find((gate) => gate.name === name);
    expect(byName('zap')?.tool).toEqual({ name: 'ZAP', version: '2.17.0' });
    expect(byName('zap')?.findings).toEqual({
      total: 3,
      bySeverity: { high: 1, informational: 1, unknown: 1 },
    });
    expect(byName('dependencies')?.findings).toEqual({ total: 3, bySeverity: { critical: 1, moderate: 2 } });
    expect(byName('test')?.findings).toEqual({ total: 4, bySeverity: { failed: 4 } });
  });
});

describe('SARIF severities in the record', () => {
  // A CodeQL-shaped log (codeql-action groups rules by pack in tool.extensions, results point at them by
  // rule.index and rule.toolComponent.index); scores on GitHub's thresholds: ≥9 critical, ≥7 high, ≥4
  // medium, >0 low, else none.
  test('maps security-severity scores, finds rules by index or id, and skips accepted suppressions', () => {
    const rule = (id: string, score?: string) => ({
      id,
      ...(score === undefined ? {} : { properties: { 'security-severity': score } }),
    });
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: { name: 'CodeQL', semanticVersion: '2.25.6', rules: [rule('driver-rule', '2.0')] },
            extensions: [
              { name: 'pack', rules: [rule('critical', '9.1'), rule('medium', '5.0'), rule('none', '0.0')] },
            ],
          },
          results: [
            { rule: { index: 0, toolComponent: { index: 0 } } },
            { rule: { index: 1, toolComponent: { index: 0 } } },
            { ruleId: 'none' },
            { ruleIndex: 0 },
            { ruleId: 'unknown-rule', level: 'note' },
            { ruleId: 'critical', suppressions: [{ kind: 'inSource' }] },
            { ruleId: 'critical', suppressions: [{ kind: 'external', status: 'rejected' }] },
          ],
        },
      ],
    };
    cpSync(FIXTURES, join(dir, 'fresh'), { recursive: true });
    rmSync(join(dir, 'fresh', `${REPORT_ARTIFACT_PREFIX}codeql`, 'javascript.sarif'));
    writeFileSync(
      join(dir, 'fresh', `${REPORT_ARTIFACT_PREFIX}codeql`, 'javascript.sarif'),
      JSON.stringify(log),
    );
    const codeql = gatesOf(buildPredicate(input({ reportsDir: join(dir, 'fresh') }))).find(
      (gate) => gate.name === 'codeql',
    );
    expect(codeql?.tool).toEqual({ name: 'CodeQL', version: '2.25.6' });
    expect(codeql?.findings).toEqual({
      total: 6,
      bySeverity: { critical: 2, medium: 1, none: 1, low: 1, note: 1 },
    });
  });
});
