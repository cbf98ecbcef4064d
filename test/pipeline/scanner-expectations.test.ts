// Holds the scanner test (test/scanners/run.mjs, `npm run test:scanners`) to its data: every tool
// security/tools.json pins is exercised there on the template and on a planted flaw (or says where else
// it is), every flaw names the rules the tool must report, the thresholds are the workflows' own, and
// every finding a policy file accepts says why and until when, and has not expired.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATES, ROOT } from './helpers.ts';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
interface Flaw {
  id: string;
  tool: string;
  variant: string;
  description?: string;
  rules: string[];
}
interface Accepted {
  score: number;
  reason: string;
  expires: string;
}
interface Expectations {
  template: Record<string, string>;
  elsewhere: Record<string, string>;
  gate: {
    trivy: { severity: string; exitCode: number };
    scorecard: { minimumScore: number; checks: string[]; accepted: Record<string, Accepted> };
  };
  flaws: Flaw[];
}
interface Step {
  with?: Record<string, string>;
}

const expectations = JSON.parse(read('test/scanners/expectations.json')) as Expectations;
const tools = (JSON.parse(read('security/tools.json')) as { tools: Record<string, unknown> }).tools;
const runner = read('test/scanners/run.mjs').replace(/\s+/g, ' ');
const TODAY = new Date().toISOString().slice(0, 10);

/** The comment block right above line `index` (contiguous `#` lines), joined. */
function commentAbove(lines: string[], index: number): string {
  const block: string[] = [];
  for (let i = index - 1; i >= 0 && /^\s*#/.test(lines[i] ?? ''); i -= 1) block.unshift(lines[i] ?? '');
  return block.join('\n');
}

/** Each accepted finding of a policy file: the entry's line and the comment above it. */
function acceptances(path: string, entry: RegExp): { entry: string; comment: string }[] {
  const lines = read(path).split('\n');
  return lines.flatMap((line, index) =>
    entry.test(line) ? [{ entry: `${path}: ${line.trim()}`, comment: commentAbove(lines, index) }] : [],
  );
}

function expectReasonAndExpiry(comment: string, entry: string): void {
  const expires = /expires: (\d{4}-\d{2}-\d{2})/.exec(comment)?.[1];
  expect({ entry, reason: /reason: \S/.test(comment), expires }).toEqual({
    entry,
    reason: true,
    expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  });
  expect({ entry, expired: (expires ?? '') <= TODAY }).toEqual({ entry, expired: false });
}

describe('the scanner test exercises every pinned tool', () => {
  const scanned = Object.keys(expectations.template);
  const elsewhere = Object.keys(expectations.elsewhere);

  it('names every tool of security/tools.json once: scanned here, or where else it is exercised', () => {
    for (const tool of Object.keys(tools)) {
      expect({
        tool,
        places: [scanned.includes(tool), elsewhere.includes(tool)].filter(Boolean).length,
      }).toEqual({
        tool,
        places: 1,
      });
    }
    expect([...scanned, ...elsewhere].filter((tool) => !(tool in tools))).toEqual([]);
    for (const reason of Object.values(expectations.elsewhere))
      expect(String(reason).length).toBeGreaterThan(20);
  });

  it('scans the template and at least one planted flaw with every scanned tool, and the runner has each', () => {
    for (const tool of scanned) {
      expect({ tool, flaws: expectations.flaws.filter((flaw) => flaw.tool === tool).length }).toEqual({
        tool,
        flaws: expect.any(Number),
      });
      expect(expectations.flaws.some((flaw) => flaw.tool === tool)).toBe(true);
      // A tool whose name is not an identifier is a quoted method name.
      expect([`async ${tool}(`, `async '${tool}'(`].some((method) => runner.includes(method))).toBe(true);
    }
  });

  it('names, for every planted flaw, a scanned tool, rule ids it must report, and a variant that exists', () => {
    const ids = expectations.flaws.map((flaw) => flaw.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const flaw of expectations.flaws) {
      expect(scanned).toContain(flaw.tool);
      expect(flaw.rules.length).toBeGreaterThan(0);
      for (const rule of flaw.rules) expect(rule).toMatch(/^[A-Za-z][\w.-]+$/);
      for (const path of [flaw.variant, flaw.description].filter((value) =>
        /^(security|test)\//.test(value ?? ''),
      )) {
        expect({ path, exists: existsSync(join(ROOT, path ?? '')) }).toEqual({ path, exists: true });
      }
    }
    // The runner reads the expectations rather than rules of its own.
    expect(runner).toContain("'test/scanners/expectations.json'");
    expect(runner).toContain('missingRules(flaw, ');
  });

  it('gates Trivy at the threshold the workflow gates on', () => {
    const workflow = parse(read(GATES)) as { jobs: Record<string, { steps: Step[] }> };
    const gate =
      workflow.jobs.trivy?.steps.find((step) => step.with?.['exit-code'] === '1' && step.with.severity)
        ?.with ?? {};
    expect(gate.severity).toBe(expectations.gate.trivy.severity);
    expect(Number(gate['exit-code'])).toBe(expectations.gate.trivy.exitCode);
    expect(gate['trivy-config']).toBe('security/trivy/trivy.yaml');
    expect(runner).toContain("'--config', 'security/trivy/trivy.yaml'");
  });

  it('asks Scorecard for a full score on every file-based check', () => {
    expect(expectations.gate.scorecard.minimumScore).toBe(10);
    expect(expectations.gate.scorecard.checks).toEqual(
      expect.arrayContaining([
        'Binary-Artifacts',
        'Dangerous-Workflow',
        'Pinned-Dependencies',
        'Token-Permissions',
      ]),
    );
  });
});

describe('every accepted finding says why and until when', () => {
  it('zizmor: each ignore in .github/zizmor.yml', () => {
    const found = acceptances('.github/zizmor.yml', /^\s+- [\w.-]+\.ya?ml:\d+/);
    expect(found.length).toBeGreaterThan(0);
    for (const { entry, comment } of found) expectReasonAndExpiry(comment, entry);
    // Whole audits are never switched off: every rule's block holds only line-scoped ignores.
    const policy = parse(read('.github/zizmor.yml')) as { rules: Record<string, object> };
    for (const rule of Object.values(policy.rules)) {
      expect(Object.keys(rule)).toEqual(['ignore']);
    }
  });

  it('actionlint: each ignored message in .github/actionlint.yaml', () => {
    const found = acceptances('.github/actionlint.yaml', /^\s+- '/);
    expect(found.length).toBeGreaterThan(0);
    for (const { entry, comment } of found) expectReasonAndExpiry(comment, entry);
  });

  it('hadolint: nothing ignored in .hadolint.yaml, each inline ignore in the Dockerfile', () => {
    const policy = parse(read('.hadolint.yaml')) as Record<string, unknown>;
    expect(policy.ignored).toBeUndefined();
    expect(policy['failure-threshold']).toBe('info');
    for (const { entry, comment } of acceptances('Dockerfile', /^# hadolint ignore=/)) {
      expectReasonAndExpiry(comment, entry);
    }
  });

  it('schemathesis: each operation override in schemathesis.toml', () => {
    const found = acceptances('schemathesis.toml', /^\[\[operations\]\]/);
    expect(found.length).toBeGreaterThan(0);
    for (const { entry, comment } of found) expectReasonAndExpiry(comment, entry);
  });

  it('Scorecard: each accepted score in the expectations', () => {
    for (const [check, accepted] of Object.entries(expectations.gate.scorecard.accepted)) {
      expectReasonAndExpiry(`reason: ${accepted.reason} expires: ${accepted.expires}`, check);
      expect(accepted.score).toBeLessThan(10);
    }
  });

  it('Trivy: each line of the ignore file trivy.yaml names carries an expiry', () => {
    const { ignorefile } = parse(read('security/trivy/trivy.yaml')) as { ignorefile: string };
    const lines = existsSync(join(ROOT, ignorefile)) ? read(ignorefile).split('\n') : [];
    lines.forEach((line, index) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      expect({ line, expiry: /\bexp:\d{4}-\d{2}-\d{2}\b/.test(line) }).toEqual({ line, expiry: true });
      expectReasonAndExpiry(`${commentAbove(lines, index)} expires: ${/exp:(\S+)/.exec(line)?.[1]}`, line);
    });
  });
});
