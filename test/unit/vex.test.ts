/**
 * security/trivy/vex.ts: .trivyignore as an OpenVEX v0.2.0 document for the pushed digest. The shape is
 * the spec's and what openvex/go-vex v0.2.7 (the library Trivy v0.70.0 reads VEX with) validates:
 * not_affected with a justification, affected with an action statement, the product the image's purl.
 * Trivy really hiding a finding with it is test/scanners/run.mjs (the planted advisory, pushed to a
 * registry and scanned with and without the document).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagePurl, JUSTIFICATIONS, OPENVEX_CONTEXT, openVexDocument } from '../../security/trivy/vex.ts';

const ROOT = join(__dirname, '..', '..');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const NOW = new Date('2026-06-01T12:00:00Z');
const OPTIONS = {
  image: 'ghcr.io/Acme/Health-Service',
  digest: DIGEST,
  author: 'https://github.com/acme/health-service',
  id: 'https://github.com/acme/health-service/actions/runs/1#openvex',
  now: NOW,
};
const PURL = `pkg:oci/health-service@sha256%3A${'ab'.repeat(32)}?repository_url=ghcr.io%2Facme%2Fhealth-service`;

const statements = (source: string) =>
  openVexDocument(source, OPTIONS).document.statements as Record<string, unknown>[];

describe('imagePurl', () => {
  it('is the oci purl Trivy builds for an image pulled by digest, without arch', () => {
    expect(imagePurl(OPTIONS.image, DIGEST)).toBe(PURL);
  });
  it.each([
    ['a tag instead of a digest', 'ghcr.io/acme/x', 'latest'],
    ['a short digest', 'ghcr.io/acme/x', 'sha256:abc'],
    ['no registry', 'x', DIGEST],
  ])('refuses %s', (_case, image, digest) => {
    expect(() => imagePurl(image, digest)).toThrow();
  });
});

describe('openVexDocument', () => {
  it('turns each accepted vulnerability into a statement on the image', () => {
    const source = `# reason[vulnerable_code_not_in_execute_path]: only the CLI calls it (owner: @team)
CVE-2026-0001 exp:2026-12-01

# a note first
# reason[affected]: no fix released yet; watched weekly
GHSA-2222-3333-4444 exp:2026-07-01`;
    const { document, ignoreFileOnly } = openVexDocument(source, OPTIONS);
    expect(document).toEqual({
      '@context': OPENVEX_CONTEXT,
      '@id': OPTIONS.id,
      author: OPTIONS.author,
      timestamp: '2026-06-01T12:00:00.000Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2026-0001' },
          products: [{ '@id': PURL }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'only the CLI calls it (owner: @team) (accepted until 2026-12-01)',
        },
        {
          vulnerability: { name: 'GHSA-2222-3333-4444' },
          products: [{ '@id': PURL }],
          status: 'affected',
          action_statement: 'no fix released yet; watched weekly (accepted until 2026-07-01)',
        },
      ],
    });
    expect(ignoreFileOnly).toEqual([]);
  });

  it.each(JUSTIFICATIONS)('accepts the justification %s', (justification) => {
    expect(statements(`# reason[${justification}]: x\nCVE-2026-0001 exp:2026-12-01\n`)).toEqual([
      expect.objectContaining({ status: 'not_affected', justification }),
    ]);
  });

  it('keeps secret and misconfiguration ids out of the document, and says so', () => {
    const source =
      '# reason: test key in a fixture\nprivate-key exp:2026-12-01\n# reason: x\nAVD-DS-0002 exp:2026-12-01\n';
    const { document, ignoreFileOnly } = openVexDocument(source, OPTIONS);
    expect(document.statements).toEqual([]);
    expect(ignoreFileOnly).toEqual([
      expect.stringMatching(/^line 2: private-key: not a vulnerability id/),
      expect.stringMatching(/^line 4: AVD-DS-0002: not a vulnerability id/),
    ]);
  });

  it.each([
    [
      'an expired entry',
      '# reason[component_not_present]: x\nCVE-2026-0001 exp:2026-05-31\n',
      /expired on 2026-05-31/,
    ],
    [
      'an entry expiring today',
      '# reason[component_not_present]: x\nCVE-2026-0001 exp:2026-06-01\n',
      /expired/,
    ],
    ['no expiry', '# reason[component_not_present]: x\nCVE-2026-0001\n', /no exp:YYYY-MM-DD/],
    ['no reason', 'CVE-2026-0001 exp:2026-12-01\n', /no "# reason:"/],
    ['no verdict', '# reason: not reachable\nCVE-2026-0001 exp:2026-12-01\n', /must name one of/],
    [
      'an unknown verdict',
      '# reason[not_exploitable]: x\nCVE-2026-0001 exp:2026-12-01\n',
      /got "not_exploitable"/,
    ],
    ['an expired secret id', '# reason: x\nprivate-key exp:2026-01-01\n', /private-key expired/],
  ])('refuses %s', (_case, source, message) => {
    expect(() => openVexDocument(source, OPTIONS)).toThrow(message);
  });

  it('reads the committed .trivyignore (an entry that cannot be attested fails here, not in publish)', () => {
    const source = readFileSync(join(ROOT, 'security/trivy/.trivyignore'), 'utf8');
    expect(() => openVexDocument(source, { ...OPTIONS, now: new Date() })).not.toThrow();
  });
});

describe('node security/trivy/vex.ts (as the publish job runs it)', () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'vex-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = (ignorefile: string) =>
    spawnSync(
      process.execPath,
      [
        join(ROOT, 'security/trivy/vex.ts'),
        ...['--ignorefile', ignorefile, '--image', OPTIONS.image, '--digest', DIGEST],
        ...['--author', OPTIONS.author, '--id', OPTIONS.id, '--output', join(work, 'vex.json')],
      ],
      { encoding: 'utf8' },
    );

  it('writes the document and exits 0', () => {
    const file = join(work, 'in-force');
    writeFileSync(file, '# reason[component_not_present]: x\nCVE-2026-0001 exp:2999-01-01\n');
    const result = cli(file);
    expect(result.stderr).toMatch(/1 statement\(s\) for pkg:oci\/health-service@/);
    expect(result.status).toBe(0);
    const written = JSON.parse(readFileSync(join(work, 'vex.json'), 'utf8')) as { statements: unknown[] };
    expect(written.statements).toHaveLength(1);
  });
  it('exits 1 on an expired entry, naming it', () => {
    const file = join(work, 'expired');
    writeFileSync(file, '# reason[component_not_present]: x\nCVE-2026-0001 exp:2020-01-01\n');
    const result = cli(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CVE-2026-0001 expired on 2020-01-01/);
  });
});
