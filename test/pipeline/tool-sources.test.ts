/**
 * What security/tools.json keeps about a tool release, held to the installer's source as it is at the
 * commit the workflows pin. cosign-installer v4.1.2 checks the bootstrap cosign it downloads against a
 * SHA-256 written in its own action.yml, and installs that bootstrap binary itself when `cosign-release`
 * equals its bootstrap version; the lines saying so are recorded in test/fixtures/action-sources/ (with
 * the command that reads them). So the version tools.json pins must be that bootstrap version, and the
 * hash it keeps that file's linux-amd64 hash: else the check after the installer
 * (scripts/ci/check-tool-sha256.sh) would fail every run, or the installer would fetch a release that
 * only a signature it downloads beside it vouches for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readWorkflows } from '../../security/workflow-policy.ts';
import { ROOT } from './helpers.ts';

const RECORDED = 'test/fixtures/action-sources/cosign-installer-v4.1.2.lines.txt';
const recorded = readFileSync(join(ROOT, RECORDED), 'utf8');
const tools = JSON.parse(readFileSync(join(ROOT, 'security/tools.json'), 'utf8')) as {
  tools: { cosign: { version: string; release: Record<string, { sha256?: string } | string> } };
};
const cosign = tools.tools.cosign;

/** The value of `name=` (or `name:`) on the recorded line numbered `line`. */
function recordedValue(line: number, name: string): string {
  const text = recorded.split('\n').find((entry) => entry.startsWith(`${line}:`));
  if (text === undefined) throw new Error(`${RECORDED} has no line ${line}`);
  const match = /^\d+:\s*([\w]+)[=:]\s*["']([^"']+)["']/.exec(text);
  if (match?.[1] !== name) throw new Error(`${RECORDED} line ${line} does not set ${name}`);
  return match[2] ?? '';
}

const recordedCommit = /at commit ([0-9a-f]{40}) \(tag (v[\d.]+)\)/.exec(recorded);

describe('cosign in security/tools.json is the bootstrap release cosign-installer checks', () => {
  it('the recorded lines are from the commit and tag every workflow pins', () => {
    expect(recordedCommit).not.toBeNull();
    const pin = `sigstore/cosign-installer@${recordedCommit?.[1]} # ${recordedCommit?.[2]}`;
    const uses = readWorkflows(ROOT).flatMap(({ text }) => [
      ...text.matchAll(/uses: (sigstore\/cosign-installer@.*)$/gm),
    ]);
    expect(uses.length).toBeGreaterThanOrEqual(3);
    expect(new Set(uses.map((match) => match[1]))).toEqual(new Set([pin]));
  });

  it("the pinned version is the installer's bootstrap version (and its default)", () => {
    expect(recordedValue(105, 'bootstrap_version')).toBe(cosign.version);
    expect(recordedValue(13, 'default')).toBe(cosign.version);
    // With cosign-release equal to it, the installer stops after the hash-checked bootstrap binary.
    expect(recorded).toContain(
      '207:        if [[ "${input_cosign_release}" == "${bootstrap_version}" ]]; then',
    );
  });

  it("the kept linux-amd64 SHA-256 is the installer's bootstrap_linux_amd64_sha", () => {
    const kept = cosign.release['linux-amd64'];
    expect(typeof kept === 'object' ? kept.sha256 : undefined).toBe(
      recordedValue(108, 'bootstrap_linux_amd64_sha'),
    );
    expect(recordedValue(108, 'bootstrap_linux_amd64_sha')).toBe(
      'c956e5dfcac53d52bcf058360d579472f0c1d2d9b69f55209e256fe7783f4c74',
    );
  });

  it('every cosign-installer step asks for that version', () => {
    for (const name of ['pipeline.yml', 'deploy-cloudrun.yml', 'deploy-beanstalk.yml']) {
      const text = readFileSync(join(ROOT, '.github/workflows', name), 'utf8');
      const releases = [
        ...text.matchAll(/uses: sigstore\/cosign-installer@.*\n\s+with:\n\s+cosign-release: (\S+)/g),
      ];
      expect([name, releases.map((match) => match[1])]).toEqual([name, [cosign.version]]);
    }
  });
});

/**
 * codeql-action v4.36.2's own bundle (src/defaults.json, recorded) named by URL in every init step's
 * `tools`, so a change of the action's default (or a toolcache fallback to another version) does not
 * change the CodeQL that gates. The action checks no hash of the bundle it downloads
 * (src/tools-download.ts at that commit): the pin fixes the version, not the bytes (docs/pipeline.md).
 */
describe('CodeQL runs the bundle the pinned codeql-action names', () => {
  const defaults = readFileSync(
    join(ROOT, 'test/fixtures/action-sources/codeql-action-v4.36.2.defaults.txt'),
    'utf8',
  );
  const bundle = (JSON.parse(defaults.replace(/^#.*\n/gm, '')) as { bundleVersion: string }).bundleVersion;

  it('every codeql-action init step names that bundle by URL', () => {
    expect(bundle).toBe('codeql-bundle-v2.25.6');
    const expected = `https://github.com/github/codeql-action/releases/download/${bundle}/codeql-bundle-linux64.tar.gz`;
    const inits = readWorkflows(ROOT).flatMap(({ path: name, text }) => {
      const workflow = parse(text) as {
        jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      return Object.values(workflow.jobs ?? {})
        .flatMap((job) => job.steps ?? [])
        .filter((step) => step.uses?.startsWith('github/codeql-action/init@') === true)
        .map((step) => [name, step.with?.tools]);
    });
    expect(inits.length).toBeGreaterThanOrEqual(2);
    expect(inits).toEqual(inits.map(([name]) => [name, expected]));
  });
});
