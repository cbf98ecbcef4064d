import { parse, parseDocument } from 'yaml';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCheckovConfig,
  checkCodeqlConfig,
  checkDependabot,
  checkInlineCheckovSkips,
  checkOsvScannerConfig,
  checkPolicyFiles,
  checkTrivyConfig,
  checkTrivyIgnore,
  checkZapRules,
} from '../../security/workflow-policy/policy-files.ts';
import { GATES, mutated, ROOT, rules, workflowFile } from './helpers.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const NOW = new Date('2026-06-01T00:00:00Z');

describe('checkov.yaml', () => {
  const source = read('checkov.yaml');
  it('scans dockerfile, github_actions and secrets, and gives a reason for every skipped check', () => {
    expect(checkCheckovConfig('checkov.yaml', source)).toEqual([]);
    expect(source).toMatch(/- CKV_GHA_5\n/);
  });
  it('fails a skipped check whose reason comment is gone', () => {
    const planted = source.replace(/^ {2}# CKV_GHA_5[\s\S]*?(?=^ {2}- CKV_GHA_5)/m, '');
    expect(planted).not.toEqual(source);
    expect(rules(checkCheckovConfig('checkov.yaml', planted))).toEqual(['checkov-skip-reason']);
  });
  it('fails a skip added without a reason', () => {
    expect(rules(checkCheckovConfig('checkov.yaml', `${source}  - CKV_DOCKER_2\n`))).toEqual([
      'checkov-skip-reason',
    ]);
  });
  it('fails a missing framework and soft-fail', () => {
    const planted = source.replace('  - secrets\n', '').replace('soft-fail: false', 'soft-fail: true');
    expect(checkCheckovConfig('checkov.yaml', planted).map((f) => f.message)).toEqual([
      'framework secrets is not scanned',
      'soft-fail turns the gate off',
    ]);
  });
  it('fails an inline checkov:skip, which would bypass the reviewed list', () => {
    expect(
      checkInlineCheckovSkips('Dockerfile', 'FROM x\n# checkov:skip=CKV_DOCKER_2: no healthcheck\n'),
    ).toHaveLength(1);
    expect(checkInlineCheckovSkips('Dockerfile', 'FROM x\n')).toEqual([]);
  });
});

describe('Trivy policy', () => {
  const config = read('security/trivy/trivy.yaml');
  it('scans for vulnerabilities, secrets and misconfiguration and names its ignore file', () => {
    expect(checkTrivyConfig(ROOT, 'security/trivy/trivy.yaml', config)).toEqual([]);
  });
  it('fails when a scanner is dropped or the ignore file is missing', () => {
    const planted = config
      .replace('    - misconfig\n', '')
      .replace('security/trivy/.trivyignore', 'security/trivy/none');
    expect(rules(checkTrivyConfig(ROOT, 'trivy.yaml', planted))).toEqual(['config-missing', 'trivy-config']);
  });

  it('accepts the committed .trivyignore and a well-formed entry', () => {
    expect(checkTrivyIgnore('.trivyignore', read('security/trivy/.trivyignore'), NOW)).toEqual([]);
    expect(
      checkTrivyIgnore(
        '.trivyignore',
        '# reason: not reachable; no fix yet\nCVE-2026-0001 exp:2026-12-01\n',
        NOW,
      ),
    ).toEqual([]);
    expect(
      checkTrivyIgnore(
        '.trivyignore',
        '# reason[vulnerable_code_not_in_execute_path]: not reachable\nCVE-2026-0001 exp:2026-12-01\n',
        NOW,
      ),
    ).toEqual([]);
  });
  it.each([
    ['no reason', 'CVE-2026-0001 exp:2026-12-01\n', 'trivyignore-reason'],
    [
      'a reason separated by a blank line',
      '# reason: x\n\nCVE-2026-0001 exp:2026-12-01\n',
      'trivyignore-reason',
    ],
    ['no expiry', '# reason: not reachable\nCVE-2026-0001\n', 'trivyignore-expiry'],
    ['an expired entry', '# reason: not reachable\nCVE-2026-0001 exp:2026-05-31\n', 'trivyignore-expiry'],
    [
      'an expiry over a year ahead',
      '# reason: not reachable\nCVE-2026-0001 exp:2027-12-01\n',
      'trivyignore-expiry',
    ],
  ])('fails an entry with %s', (_case, source, rule) => {
    expect(rules(checkTrivyIgnore('.trivyignore', source, NOW))).toEqual([rule]);
  });
});

describe('osv-scanner.toml', () => {
  const entry = (id: string, until: string, reason = 'dev-only; the function is never called') =>
    `[[IgnoredVulns]]\nid = "${id}"\nignoreUntil = ${until}\nreason = "${reason}"\n`;
  it('accepts the committed file and a well-formed acceptance', () => {
    expect(checkOsvScannerConfig('osv-scanner.toml', read('osv-scanner.toml'), NOW)).toEqual([]);
    expect(
      checkOsvScannerConfig('osv-scanner.toml', entry('GHSA-2222-3333-4444', '2026-12-01T00:00:00Z'), NOW),
    ).toEqual([]);
  });
  it.each([
    ['no reason', entry('GHSA-2222-3333-4444', '2026-12-01T00:00:00Z', ' '), /has no reason/],
    [
      'no expiry (osv-scanner would honour it forever)',
      '[[IgnoredVulns]]\nid = "GHSA-2222-3333-4444"\nreason = "x"\n',
      /has no ignoreUntil/,
    ],
    ['an expired acceptance', entry('GHSA-2222-3333-4444', '2026-05-31T00:00:00Z'), /expired on 2026-05-31/],
    [
      'an expiry over a year ahead',
      entry('GHSA-2222-3333-4444', '2027-12-01T00:00:00Z'),
      /more than a year ahead/,
    ],
    [
      'a malicious package accepted',
      entry('MAL-2099-0001', '2026-12-01T00:00:00Z'),
      /MAL-2099-0001 is a malicious package/,
    ],
    [
      'a package override that hides findings without an expiry',
      '[[PackageOverrides]]\nname = "debug"\nignore = true\nreason = "x"\n',
      /PackageOverrides debug has no effectiveUntil/,
    ],
    ['TOML osv-scanner cannot read', '[[IgnoredVulns]\nid = 1\n', /invalid TOML/],
  ])('fails %s', (_case, source, message) => {
    const findings = checkOsvScannerConfig('osv-scanner.toml', source, NOW);
    expect(rules(findings)).toEqual(['osv-ignore']);
    expect(findings[0]?.message).toMatch(message);
  });
  it('is checked whenever a workflow runs the osv-scanner gate', () => {
    const root = mkdtempSync(join(tmpdir(), 'osv-policy-'));
    try {
      writeFileSync(join(root, 'osv-scanner.toml'), entry('GHSA-2222-3333-4444', '2026-05-31T00:00:00Z'));
      const found = checkPolicyFiles(root, [workflowFile(GATES)], NOW).filter(
        (finding) => finding.rule === 'osv-ignore',
      );
      expect(found.map((finding) => finding.message)).toEqual([
        'IgnoredVulns GHSA-2222-3333-4444 expired on 2026-05-31; review it',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('ZAP rules file', () => {
  const source = read('security/zap/rules.tsv');
  it('is id<TAB>level<TAB>name with valid levels, and fails the headers the service must send', () => {
    expect(checkZapRules('rules.tsv', source)).toEqual([]);
    for (const id of ['10020', '10021', '10038', '10063', '90004', '10036', '10037']) {
      expect(source.split('\n').some((line) => line.startsWith(`${id}\tFAIL\t`))).toBe(true);
    }
  });
  it.each([
    ['an invalid level (ZAP aborts with exit 3)', '10021\tHIGH\tX-Content-Type-Options Header Missing\n'],
    ['spaces instead of tabs', '10021 FAIL X-Content-Type-Options Header Missing\n'],
    ['a missing name (zap_common cannot unpack the line)', '10021\tFAIL\n'],
    ['a non-numeric id', 'abc\tFAIL\tname\n'],
    ['a duplicate rule', '10021\tFAIL\tX-Content-Type-Options Header Missing\n'],
  ])('fails %s', (_case, line) => {
    expect(rules(checkZapRules('rules.tsv', `${source}${line}`))).toEqual(['zap-rules']);
  });
});

describe('CodeQL config', () => {
  const source = read('security/codeql/codeql-config.yml');
  it('uses security-extended and ignores generated paths', () => {
    expect(checkCodeqlConfig('codeql-config.yml', source)).toEqual([]);
  });
  it('fails without security-extended or paths-ignore', () => {
    const planted = source
      .replace('security-extended', 'security-experimental')
      .replace(/paths-ignore:[\s\S]*$/, 'paths-ignore: []\n');
    expect(checkCodeqlConfig('codeql-config.yml', planted)).toHaveLength(2);
  });
});

describe('Dependabot', () => {
  const source = read('.github/dependabot.yml');
  it('updates npm, actions and docker weekly, grouped', () => {
    expect(checkDependabot('dependabot.yml', source)).toEqual([]);
  });
  it('fails when an ecosystem is dropped', () => {
    const planted = source.replace(/ {2}- package-ecosystem: docker[\s\S]*$/, '');
    expect(checkDependabot('dependabot.yml', planted).map((f) => f.message)).toEqual([
      'no updates for docker',
    ]);
  });
  it('holds every ecosystem back a week after a release (cooldown), docker included', () => {
    const updates = (
      parse(source) as { updates: { 'package-ecosystem': string; cooldown?: { 'default-days'?: number } }[] }
    ).updates;
    expect(updates.map((update) => update['package-ecosystem']).sort()).toEqual([
      'docker',
      'github-actions',
      'npm',
    ]);
    for (const update of updates) expect(update.cooldown?.['default-days']).toBeGreaterThanOrEqual(7);
  });
});

describe('configuration named by the workflows', () => {
  it('is all present and valid', () => {
    expect(checkPolicyFiles(ROOT, [workflowFile(GATES)], NOW)).toEqual([]);
  });
  it('reports a config file a workflow names but the repository lacks', () => {
    const file = mutated(GATES, (d) =>
      // Checkov now runs by digest from a `run:` step (no action input); Trivy's config input stands in.
      d.setIn(['jobs', 'trivy', 'steps', 6, 'with', 'trivy-config'], 'missing-trivy.yaml'),
    );
    expect(rules(checkPolicyFiles(ROOT, [file], NOW))).toEqual(['config-missing']);
  });
});

describe('a policy file that does not parse is named, never skipped', () => {
  const broken = 'key: [unclosed\n';
  it.each([
    ['checkov-config', () => checkCheckovConfig('checkov.yaml', broken)],
    ['trivy-config', () => checkTrivyConfig(ROOT, 'trivy.yaml', broken)],
    ['codeql-config', () => checkCodeqlConfig('codeql-config.yml', broken)],
    ['dependabot', () => checkDependabot('dependabot.yml', broken)],
  ])('%s', (rule, check) => {
    const findings = check();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule });
    expect(findings[0]?.message).toMatch(/\S/);
  });
});

describe('more policy-file cases', () => {
  it('trivy.yaml without an ignore file is refused: accepted findings live in one reviewed file', () => {
    const config = read('security/trivy/trivy.yaml').replace(/^ignorefile:.*$/m, '');
    expect(checkTrivyConfig(ROOT, 'trivy.yaml', config).map((f) => f.message)).toEqual([
      'no ignorefile: accepted findings must live in one reviewed file',
    ]);
  });

  it('ZAP OUTOFSCOPE lines take an id list or *, and nothing else', () => {
    expect(checkZapRules('rules.tsv', '10021,10038\tOUTOFSCOPE\t/static/.*\n*\tOUTOFSCOPE\t/x\n')).toEqual(
      [],
    );
    expect(checkZapRules('rules.tsv', 'ten\tOUTOFSCOPE\t/static/.*\n').map((f) => f.message)).toEqual([
      'line 1: bad rule id ten',
    ]);
  });

  it('Dependabot: an ecosystem without a schedule or groups is refused', () => {
    const source = read('.github/dependabot.yml');
    const planted = parseDocument(source);
    const updates = planted.get('updates') as { items: { delete(key: string): boolean }[] };
    expect(updates.items[0]?.delete('groups')).toBe(true);
    expect(checkDependabot('dependabot.yml', planted.toString()).map((f) => f.message)).toEqual([
      expect.stringMatching(/needs a schedule and groups$/),
    ]);
  });

  it('finds the Checkov config a checkov-action step names, and reports a missing Dependabot config', () => {
    const root = mkdtempSync(join(tmpdir(), 'policy-files-'));
    try {
      const workflow = {
        path: '.github/workflows/x.yml',
        text: [
          'jobs:',
          '  scan:',
          '    steps:',
          '      - uses: bridgecrewio/checkov-action@0000000000000000000000000000000000000000',
          '        with:',
          '          config_file: ./checkov.yaml',
          '      - uses: bridgecrewio/checkov-action@0000000000000000000000000000000000000000',
          '      - uses: zaproxy/action-baseline@0000000000000000000000000000000000000000',
          '        with:',
          '          rules_file_name: rules.tsv',
          '      - uses: github/codeql-action/init@0000000000000000000000000000000000000000',
          '        with:',
          '          config-file: codeql.yml',
        ].join('\n'),
      };
      writeFileSync(join(root, 'checkov.yaml'), 'framework: [dockerfile]\nsoft-fail: true\n');
      const findings = checkPolicyFiles(root, [workflow, { path: 'broken.yml', text: 'a: [' }], NOW);
      expect(findings.map((f) => `${f.rule} ${f.file} ${f.message}`)).toEqual([
        'checkov-config checkov.yaml framework github_actions is not scanned',
        'checkov-config checkov.yaml framework secrets is not scanned',
        'checkov-config checkov.yaml soft-fail turns the gate off',
        // Without config_file, checkov-action reads .checkov.yaml from the root.
        'config-missing .checkov.yaml named by a workflow but missing',
        'config-missing rules.tsv named by a workflow but missing',
        'config-missing codeql.yml named by a workflow but missing',
        'dependabot .github/dependabot.yml missing',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
