/**
 * The policy-file rules on the cases this repository's own files never show: osv-scanner.toml acceptances
 * with no id, reason or date, a malicious package, overrides that hide nothing or hide one version,
 * Checkov lists with an empty entry or no list at all, and a Trivy config named by a workflow whose
 * ignore file is unnamed or absent. Each input is the file as its tool reads it, written out here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  checkCheckovConfig,
  checkOsvScannerConfig,
  checkPolicyFiles,
} from '../../security/workflow-policy/policy-files.ts';
import { folderPerTest } from '../support/scratch.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const messages = (findings: readonly { message: string }[]) => findings.map((finding) => finding.message);

describe('osv-scanner.toml acceptances', () => {
  it('an entry with no id, no reason and no date is named as such, twice over', () => {
    expect(messages(checkOsvScannerConfig('osv-scanner.toml', '[[IgnoredVulns]]\n', NOW))).toEqual([
      'IgnoredVulns (no id) has no reason',
      'IgnoredVulns (no id) has no ignoreUntil date',
    ]);
  });

  it('a malicious package is refused whatever its reason; an expired one is due for review', () => {
    const source = [
      '[[IgnoredVulns]]',
      'id = "MAL-2025-1234"',
      'ignoreUntil = 2026-09-01',
      'reason = "we trust it"',
      '',
      '[[IgnoredVulns]]',
      'id = "GHSA-aaaa-bbbb-cccc"',
      'ignoreUntil = 2026-05-31',
      'reason = "no fix released"',
      '',
      '[[IgnoredVulns]]',
      'id = "GHSA-dddd-eeee-ffff"',
      'ignoreUntil = 2027-07-01',
      'reason = "no fix released"',
      '',
    ].join('\n');
    expect(messages(checkOsvScannerConfig('osv-scanner.toml', source, NOW))).toEqual([
      'MAL-2025-1234 is a malicious package: remove that version rather than accept it',
      'IgnoredVulns GHSA-aaaa-bbbb-cccc expired on 2026-05-31; review it',
      'IgnoredVulns GHSA-dddd-eeee-ffff expires more than a year ahead',
    ]);
  });

  it('overrides: only those that hide findings need a reason and a date, named by package and version', () => {
    const source = [
      '[[PackageOverrides]]',
      'name = "left-pad"',
      'license.override = ["MIT"]',
      '',
      '[[PackageOverrides]]',
      'name = "lodash"',
      'version = "4.17.20"',
      'vulnerability.ignore = true',
      'effectiveUntil = 2026-01-01',
      'reason = "dev only"',
      '',
      '[[PackageOverrides]]',
      'ignore = true',
      'effectiveUntil = 2026-07-01',
      '',
    ].join('\n');
    expect(messages(checkOsvScannerConfig('osv-scanner.toml', source, NOW))).toEqual([
      'PackageOverrides lodash@4.17.20 expired on 2026-01-01; review it',
      'PackageOverrides (every package) has no reason',
    ]);
  });

  it('TOML that does not parse is one finding', () => {
    expect(messages(checkOsvScannerConfig('osv-scanner.toml', '[[IgnoredVulns\n', NOW))).toEqual([
      expect.stringMatching(/^invalid TOML: /),
    ]);
  });
});

describe('checkov.yaml', () => {
  const frameworks = 'framework:\n  - dockerfile\n  - github_actions\n  - secrets\n';

  it('an empty skipped check has no reason to give', () => {
    const source = `${frameworks}skip-check:\n  # CKV_GHA_5: reviewed\n  - CKV_GHA_5\n  - ""\n`;
    expect(messages(checkCheckovConfig('checkov.yaml', source))).toEqual([
      'skipped check (empty) has no comment giving its reason',
    ]);
  });

  it('YAML that does not parse is its first error; a document that is no mapping scans nothing', () => {
    expect(checkCheckovConfig('checkov.yaml', 'framework: [dockerfile\n')).toEqual([
      { rule: 'checkov-config', file: 'checkov.yaml', message: expect.stringMatching(/flow sequence|\]/) },
    ]);
    expect(messages(checkCheckovConfig('checkov.yaml', '- dockerfile\n'))).toEqual([
      'framework dockerfile is not scanned',
      'framework github_actions is not scanned',
      'framework secrets is not scanned',
    ]);
  });
});

describe('a Trivy config named by a workflow', () => {
  const root = folderPerTest('policy-files-edges-');
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root(), path)), { recursive: true });
    writeFileSync(join(root(), path), text);
  };
  const workflow = {
    path: '.github/workflows/scan.yml',
    text: [
      'jobs:',
      '  scan:',
      '    steps:',
      '      - uses: aquasecurity/trivy-action@76071ef0d7ec797419534a183b498b4d6366cf37 # v0.31.0',
      '        with:',
      '          trivy-config: trivy.yaml',
      '',
    ].join('\n'),
  };
  const scanners = 'scan:\n  scanners: [vuln, secret, misconfig]\n';
  const trivyFindings = () =>
    checkPolicyFiles(root(), [workflow], NOW).filter(
      (finding) => finding.file.startsWith('trivy') || finding.file.startsWith('.trivy'),
    );

  it('with no ignore file named, says so and reads none', () => {
    put('trivy.yaml', scanners);
    expect(messages(trivyFindings())).toEqual([
      'no ignorefile: accepted findings must live in one reviewed file',
    ]);
  });

  it('with its ignore file gone, says that file is missing', () => {
    put('trivy.yaml', `${scanners}ignorefile: .trivyignore\n`);
    expect(messages(trivyFindings())).toEqual(['ignorefile .trivyignore does not exist']);
  });

  it('with its ignore file present, checks that file too', () => {
    put('trivy.yaml', `${scanners}ignorefile: .trivyignore\n`);
    put('.trivyignore', 'CVE-2024-0001\n');
    const findings = trivyFindings();
    expect(findings.map((finding) => finding.file)).toContain('.trivyignore');
  });
});
