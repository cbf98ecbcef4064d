/**
 * security/dependencies/npm-audit-gate.sh tells a finding from an outage. `npm` is a stand-in printing
 * what npm 11.19 prints: the outage body is the one npm printed on this machine when the registry
 * answered the bulk advisory endpoint with 405 (captured 2026-12-01); the report shape is npm's
 * `audit --json` (metadata.vulnerabilities by severity).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GATE = path.resolve(import.meta.dirname, '../../security/dependencies/npm-audit-gate.sh');
const OUTAGE = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
});
const report = (high: number, critical: number) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: {},
    metadata: {
      vulnerabilities: { info: 0, low: 1, moderate: 2, high, critical, total: 3 + high + critical },
      dependencies: { prod: 4, dev: 500, optional: 3, peer: 0, peerOptional: 0, total: 507 },
    },
  });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npm-audit-gate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function gate(json: string) {
  const bin = path.join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(path.join(dir, 'audit.json'), json);
  // npm audit --json exits 0 on the endpoint error (as npm 11.19 did) and 1 on findings.
  writeFileSync(
    path.join(bin, 'npm'),
    `#!/usr/bin/env bash\ncase "$1 $2" in\n  'audit --json') cat "${dir}/audit.json"; grep -q '"high": *[1-9]' "${dir}/audit.json" && exit 1; exit 0 ;;\n  'audit --audit-level=high') echo 'found advisories'; exit 1 ;;\n  '--version ') echo 11.19.1 ;;\nesac\n`,
  );
  chmodSync(path.join(bin, 'npm'), 0o755);
  const output = path.join(dir, 'github-output');
  writeFileSync(output, '');
  const result = spawnSync('bash', [GATE], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output },
  });
  return { ...result, outputs: readFileSync(output, 'utf8') };
}

test('an audit endpoint that cannot answer is an outage: exit 3, named, with how to rerun', () => {
  const result = gate(OUTAGE);
  expect(result.status).toBe(3);
  expect(result.stdout).toContain('::error title=Outage, not a finding::npm audit could not run (405 Method');
  expect(result.stdout).toContain('rerun this job');
  expect(result.outputs).toContain('outage=npm audit endpoint: 405 Method Not Allowed');
  expect(result.outputs).not.toContain('findings=');
});

test('advisories at high or critical are a finding: exit 1, counted', () => {
  const result = gate(report(1, 1));
  expect(result.status).toBe(1);
  expect(result.outputs).toBe('findings=2\n');
  expect(result.stdout).toContain('::error title=Finding::npm audit: 2 advisories');
});

test('a report without high or critical passes and keeps the report and npm version for the attestation', () => {
  const result = gate(report(0, 0));
  expect(result.status).toBe(0);
  expect(result.outputs).toBe('findings=0\n');
  expect(readFileSync(path.join(dir, 'npm-version.txt'), 'utf8')).toBe('11.19.1\n');
  expect(
    JSON.parse(readFileSync(path.join(dir, 'npm-audit.json'), 'utf8')).metadata.vulnerabilities.low,
  ).toBe(1);
});

describe('signatures', () => {
  function signatures(stdout: string, code: number) {
    const bin = path.join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(path.join(dir, 'signatures.txt'), stdout);
    writeFileSync(path.join(bin, 'npm'), `#!/usr/bin/env bash\ncat "${dir}/signatures.txt"\nexit ${code}\n`);
    chmodSync(path.join(bin, 'npm'), 0o755);
    const output = path.join(dir, 'github-output');
    writeFileSync(output, '');
    const result = spawnSync('bash', [GATE, 'signatures'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output },
    });
    return { ...result, outputs: readFileSync(output, 'utf8') };
  }

  // What npm 11.19 printed here with Sigstore's TUF repository out of reach (2026-12-01).
  test('Sigstore or the registry out of reach is an outage (exit 3), named', () => {
    const result = signatures(
      'npm error code ENOTFOUND\nnpm error syscall getaddrinfo\nnpm error network request to https://tuf-repo-cdn.sigstore.dev/15.root.json failed, reason: getaddrinfo ENOTFOUND tuf-repo-cdn.sigstore.dev\n',
      1,
    );
    expect(result.status).toBe(3);
    expect(result.outputs).toBe(
      'outage=npm audit signatures: request to https://tuf-repo-cdn.sigstore.dev/15.root.json\n',
    );
    expect(result.stdout).toContain('Outage, not a finding');
  });

  test('a signature that does not verify is a finding (exit 1)', () => {
    const result = signatures(
      'audited 500 packages\n1 package has an invalid registry signature:\n\nleft-pad@1.3.0\n',
      1,
    );
    expect(result.status).toBe(1);
    expect(result.outputs).toBe('');
    expect(result.stdout).toContain('::error title=Finding::');
  });

  test('verified signatures pass', () => {
    expect(
      signatures('audited 500 packages\n500 packages have verified registry signatures\n', 0).status,
    ).toBe(0);
  });
});
