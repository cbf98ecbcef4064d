// The Dockerfile checks security/dockerfile-policy.ts handed to hadolint and Checkov, each shown caught by
// the real tool at its pin: every flaw of test/scanners/expectations.json whose variant is under
// security/self-test/dockerfile/ (one fixture per handed-over rule, named by the old rule id) runs through
// the tool it names, which must fail and report every rule id listed. A tool that is not installed skips
// its cases under a name that says so; it never passes them.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DOCKERFILE_RULES } from '../../security/dockerfile-policy.ts';
import { checkovArguments } from '../../security/gates/containers.ts';
import { readSarifResults } from '../../security/gates/sarif.ts';
import { reportsVersion, toolPin, toolsDir, INSTALLER } from '../../security/gates/tools.ts';
import { ROOT } from './helpers.ts';

const FIXTURES = 'security/self-test/dockerfile';

interface Flaw {
  id: string;
  tool: string;
  variant: string;
  rules: string[];
}

const flaws = (
  JSON.parse(readFileSync(join(ROOT, 'test/scanners/expectations.json'), 'utf8')) as { flaws: Flaw[] }
).flaws.filter((flaw) => flaw.variant.startsWith(`${FIXTURES}/`));

/**
 * Inside a describe: the installed tool and its flaws, with a test that it is the pinned release; where
 * it is not installed, one skipped test whose name says so and how to install it, and undefined.
 */
function toolCases(tool: string): { path: string; cases: Flaw[] } | undefined {
  const pin = toolPin(ROOT, tool);
  const path = join(toolsDir(), 'bin', pin?.executable ?? tool);
  if (!existsSync(path)) {
    it.skip(`${tool} is not installed (${path}): not run; bash ${INSTALLER} ${tool} installs it`, () => {});
    return undefined;
  }
  it('is the pinned release', () => {
    const answer = spawnSync(path, pin?.versionArgs ?? ['--version'], { encoding: 'utf8', timeout: 300_000 });
    expect(reportsVersion(`${answer.stdout}\n${answer.stderr}`, pin?.version ?? '?')).toBe(true);
  }, 300_000);
  return { path, cases: flaws.filter((flaw) => flaw.tool === tool) };
}

describe('the fixtures of the checks handed over', () => {
  const fixtures = readdirSync(join(ROOT, FIXTURES)).filter((file) => file.endsWith('.Containerfile'));

  it('are one per handed-over rule, none of which the policy still has, each run through a tool', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const file of fixtures) {
      expect(Object.keys(DOCKERFILE_RULES)).not.toContain(basename(file, '.Containerfile'));
      expect(flaws.map((flaw) => flaw.variant)).toContain(`${FIXTURES}/${file}`);
    }
  });
});

describe('hadolint (.hadolint.yaml) on each fixture', () => {
  const hadolint = toolCases('hadolint');
  if (hadolint === undefined) return;

  it.each(hadolint.cases.map((flaw) => [flaw.variant, flaw.rules] as const))('%s: %j', (variant, rules) => {
    const result = spawnSync(hadolint.path, ['--config', '.hadolint.yaml', '--format', 'json', variant], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const found = (JSON.parse(result.stdout) as { code: string }[]).map((finding) => finding.code);
    expect({ status: result.status, missing: rules.filter((rule) => !found.includes(rule)) }).toEqual({
      status: 1,
      missing: [],
    });
  });
});

describe('Checkov (checkov.yaml) on each fixture, copied into place as a Dockerfile', () => {
  const checkov = toolCases('checkov');
  if (checkov === undefined) return;
  const { cases } = checkov;

  // One Checkov run over every fixture (a Python start costs seconds): each in its own folder as
  // Dockerfile, the only name Checkov's Dockerfile runner reads, with the gate's own arguments.
  let work: string;
  let status: number | null;
  let rulesByFolder: Map<string, string[]>;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'dockerfile-tools-'));
    for (const flaw of cases) {
      mkdirSync(join(work, 'scan', flaw.id), { recursive: true });
      cpSync(join(ROOT, flaw.variant), join(work, 'scan', flaw.id, 'Dockerfile'));
    }
    const sarif = join(work, 'results.sarif');
    // --skip-download: no check needs Prisma Cloud's guideline links, which time out offline.
    const result = spawnSync(
      checkov.path,
      [...checkovArguments(join(work, 'scan'), sarif), '--skip-download'],
      { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
    );
    status = result.status;
    rulesByFolder = new Map();
    for (const found of readSarifResults(sarif) ?? []) {
      const uri = found.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
      const folder = uri.split('/').at(-2) ?? '';
      rulesByFolder.set(folder, [...(rulesByFolder.get(folder) ?? []), found.ruleId ?? '']);
    }
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(cases.map((flaw) => [flaw.variant, flaw.rules, flaw.id] as const))(
    '%s: %j',
    (_variant, rules, id) => {
      const found = rulesByFolder.get(id) ?? [];
      expect({ status, missing: rules.filter((rule) => !found.includes(rule)) }).toEqual({
        status: 1,
        missing: [],
      });
    },
  );
});
