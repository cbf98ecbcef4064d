import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers';

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
});
