import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSarifResults } from '../../security/gates/sarif.ts';
import { ROOT } from './helpers.ts';

// The real script, run as CI runs it, on SARIF shaped like CodeQL's (levels on rules or results).
const SCRIPT = join(ROOT, 'security', 'sarif-gate.mjs');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sarif-gate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sarif(results: object[], rules: object[] = []): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'CodeQL', rules } }, results }],
  });
}
function gate(...args: string[]) {
  const output = join(dir, 'github-output');
  writeFileSync(output, '');
  const run = spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GITHUB_OUTPUT: output },
  });
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    outputs: readFileSync(output, 'utf8'),
  };
}
const xss = {
  ruleId: 'js/reflected-xss',
  message: { text: 'XSS' },
  locations: [{ physicalLocation: { artifactLocation: { uri: 'src/app.ts' }, region: { startLine: 7 } } }],
};

describe('security/sarif-gate.mjs', () => {
  it('passes a report with no results', () => {
    writeFileSync(join(dir, 'clean.sarif'), sarif([]));
    expect(gate(join(dir, 'clean.sarif'))).toMatchObject({ status: 0, outputs: 'findings=0\nblocking=0\n' });
  });

  it('fails on a result whose rule defaults to error, and names it', () => {
    mkdirSync(join(dir, 'codeql'));
    writeFileSync(
      join(dir, 'codeql', 'javascript.sarif'),
      sarif([xss], [{ id: 'js/reflected-xss', defaultConfiguration: { level: 'error' } }]),
    );
    const result = gate('--fail-level', 'error', join(dir, 'codeql'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('BLOCKING error CodeQL js/reflected-xss src/app.ts:7');
    expect(result.outputs).toBe('findings=1\nblocking=1\n');
  });

  it('counts but passes warnings and notes at the default fail level, and accepted suppressions not at all', () => {
    const results = [
      { ...xss, level: 'warning' },
      { ...xss, level: 'note' },
      { ...xss, level: 'error', suppressions: [{ kind: 'inSource', status: 'accepted' }] },
    ];
    writeFileSync(join(dir, 'mixed.sarif'), sarif(results));
    expect(gate(join(dir, 'mixed.sarif'))).toMatchObject({ status: 0, outputs: 'findings=2\nblocking=0\n' });
    expect(gate('--fail-level', 'error,warning', join(dir, 'mixed.sarif')).status).toBe(1);
  });

  it('only counts with --count-only', () => {
    writeFileSync(join(dir, 'trivy.sarif'), sarif([{ ...xss, level: 'error' }]));
    expect(gate('--count-only', join(dir, 'trivy.sarif'))).toMatchObject({
      status: 0,
      outputs: 'findings=1\nblocking=0\n',
    });
  });

  it('refuses a missing report, an empty folder and a file that is not SARIF rather than passing', () => {
    expect(gate(join(dir, 'absent.sarif')).status).toBe(2);
    mkdirSync(join(dir, 'empty'));
    expect(gate(join(dir, 'empty')).status).toBe(2);
    writeFileSync(join(dir, 'not.sarif'), '{"version":"2.1.0"}');
    expect(gate(join(dir, 'not.sarif')).status).toBe(2);
    expect(gate('--fail-level', 'critical', join(dir, 'not.sarif')).status).toBe(2);
  });

  // Shaped as the CodeQL Action writes it: the Action always passes `--sarif-group-rules-by-pack`
  // (github/codeql-action src/codeql.ts at v4.36.2; its CHANGELOG: "the SARIF rule object for each query
  // will now be found underneath its corresponding query pack in runs[].tool.extensions"), so the
  // driver holds no rules; a result names its rule by `rule.toolComponent.index` + `rule.index` (CodeQL
  // CLI 2.5.5 changelog) and has no `level`; `security-severity` is a string property of the rule
  // (GitHub docs, "SARIF support for code scanning", reportingDescriptor properties).
  function codeqlSarif(rule: { id: string; level: string; securitySeverity?: string }): string {
    const descriptor = {
      id: rule.id,
      name: rule.id,
      shortDescription: { text: rule.id },
      defaultConfiguration: { enabled: true, level: rule.level },
      properties: {
        tags: ['security'],
        kind: 'path-problem',
        precision: 'high',
        'problem.severity': rule.level,
        ...(rule.securitySeverity === undefined ? {} : { 'security-severity': rule.securitySeverity }),
      },
    };
    return JSON.stringify({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: { name: 'CodeQL', organization: 'GitHub', semanticVersion: '2.25.6', notifications: [] },
            extensions: [
              { name: 'codeql/javascript-all', semanticVersion: '2.6.0', rules: [] },
              {
                name: 'codeql/javascript-queries',
                semanticVersion: '2.1.0',
                rules: [
                  { id: 'js/unused-local-variable', defaultConfiguration: { level: 'note' } },
                  descriptor,
                ],
              },
            ],
          },
          results: [
            {
              ruleId: rule.id,
              rule: { id: rule.id, index: 1, toolComponent: { index: 1 } },
              message: { text: 'This command line depends on a user-provided value.' },
              locations: xss.locations,
              partialFingerprints: { primaryLocationLineHash: 'c0ffee:1' },
            },
          ],
          columnKind: 'utf16CodeUnits',
          properties: { semmle: { formatSpecifier: 'sarif-latest' } },
        },
      ],
    });
  }

  it('reads a CodeQL rule from its query pack: an error-level rule blocks a result that has no level', () => {
    writeFileSync(
      join(dir, 'codeql.sarif'),
      codeqlSarif({ id: 'js/command-line-injection', level: 'error' }),
    );
    const result = gate('--fail-level', 'error', join(dir, 'codeql.sarif'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('BLOCKING error CodeQL js/command-line-injection src/app.ts:7');
  });

  it('blocks a CodeQL warning whose security-severity is high (7.0 and above), not a medium one', () => {
    writeFileSync(
      join(dir, 'high.sarif'),
      codeqlSarif({ id: 'js/missing-rate-limiting', level: 'warning', securitySeverity: '7.5' }),
    );
    writeFileSync(
      join(dir, 'medium.sarif'),
      codeqlSarif({ id: 'js/missing-rate-limiting', level: 'warning', securitySeverity: '6.9' }),
    );
    const high = gate('--fail-level', 'error', '--fail-security-severity', '7.0', join(dir, 'high.sarif'));
    expect(high.status).toBe(1);
    expect(high.stdout).toContain('BLOCKING warning severity=7.5 CodeQL js/missing-rate-limiting');
    expect(
      gate('--fail-level', 'error', '--fail-security-severity', '7.0', join(dir, 'medium.sarif')).status,
    ).toBe(0);
    // Without the severity threshold a warning passes: the CI call must pass it (see the workflow test).
    expect(gate('--fail-level', 'error', join(dir, 'high.sarif')).status).toBe(0);
  });

  it('refuses a security-severity threshold outside 0–10', () => {
    writeFileSync(join(dir, 'clean.sarif'), sarif([]));
    expect(gate('--fail-security-severity', 'high', join(dir, 'clean.sarif')).status).toBe(2);
    expect(gate('--fail-security-severity', '11', join(dir, 'clean.sarif')).status).toBe(2);
  });

  it('counts a result whose suppression is only under review or rejected, as the local runner does', () => {
    const results = [
      { ...xss, level: 'error', suppressions: [{ kind: 'inSource' }] },
      { ...xss, level: 'error', suppressions: [{ kind: 'external', status: 'underReview' }] },
      { ...xss, level: 'error', suppressions: [{ kind: 'external', status: 'rejected' }] },
    ];
    const file = join(dir, 'suppressions.sarif');
    writeFileSync(file, sarif(results));
    expect(gate(file)).toMatchObject({ status: 1, outputs: 'findings=2\nblocking=2\n' });
    expect(readSarifResults(file)).toHaveLength(2);
  });
});
