/**
 * What OpenSSF Scorecard reads from the repository's content, checked here because Scorecard itself
 * cannot run on this machine (it needs the GitHub API). Each check mirrors the Scorecard source it
 * names (ossf/scorecard v5.5.0, commit c395761df6afe1a69e476bc60a013a94bcbc153f); docs/pipeline.md's
 * "OpenSSF Scorecard" table says which checks only a GitHub setting or history can raise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { checkWorkflow, loadReviewedActions } from '../../security/workflow-policy.ts';
import { ROOT, rules, workflowFile } from './helpers.ts';
import { PINNED_BY_DIGEST } from '../../security/constants.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const SCORECARD = '.github/workflows/scorecard.yml';

describe('the Scorecard workflow', () => {
  const workflow = parse(read(SCORECARD)) as Json;
  const job = workflow.jobs.analysis as Json;

  it('runs on branch protection changes, weekly and on pushes to main, never on pull requests', () => {
    expect(Object.keys(workflow.on as Json).sort()).toEqual(['branch_protection_rule', 'push', 'schedule']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
  });

  // ossf/scorecard-action v2.4.4 README, "Workflow Restrictions": scorecard.dev refuses published
  // results from a workflow that breaks any of these.
  it('keeps the restrictions scorecard.dev enforces on a publishing workflow', () => {
    expect(Object.keys(workflow.jobs as Json)).toEqual(['analysis']);
    expect(workflow.env).toBeUndefined();
    expect(workflow.defaults).toBeUndefined();
    expect(workflow.permissions).toEqual({});
    expect(job.env).toBeUndefined();
    expect(job.defaults).toBeUndefined();
    expect(job.container).toBeUndefined();
    expect(job.services).toBeUndefined();
    expect(job['runs-on']).toMatch(/^ubuntu-/);
    const allowed = [
      'actions/checkout',
      'actions/upload-artifact',
      'github/codeql-action/upload-sarif',
      'ossf/scorecard-action',
      'step-security/harden-runner',
    ];
    for (const step of job.steps as Json[]) {
      expect(step.run).toBeUndefined();
      expect(allowed).toContain(String(step.uses).split('@')[0]);
    }
  });

  it('holds exactly the permissions publishing and the SARIF upload need', () => {
    expect(job.permissions).toEqual({
      contents: 'read',
      actions: 'read',
      'security-events': 'write',
      'id-token': 'write',
    });
  });

  it('publishes the result (the badge) and uploads the SARIF it wrote', () => {
    const steps = job.steps as Json[];
    const scorecard = steps.find((step) => String(step.uses).startsWith('ossf/scorecard-action@'));
    const reviewed = loadReviewedActions(ROOT)['ossf/scorecard-action'];
    expect(String(scorecard?.uses)).toBe(`ossf/scorecard-action@${reviewed?.sha}`);
    expect(scorecard?.with).toMatchObject({ results_format: 'sarif', publish_results: true });
    const upload = steps.find((step) => String(step.uses).startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.sarif_file).toBe(scorecard?.with?.results_file);
  });

  it('passes the workflow policy only through its three listed exceptions', () => {
    expect(checkWorkflow(ROOT, workflowFile(SCORECARD))).toEqual([]);
    // The same file under another name has no exception: the writes, the unguarded upload and the
    // action's image by tag show.
    const renamed = { ...workflowFile(SCORECARD), path: '.github/workflows/another.yml' };
    expect(rules(checkWorkflow(ROOT, renamed))).toEqual([
      'image-by-digest',
      'permissions-write',
      'sarif-fork-guard',
    ]);
    // The exception would also hide a wider write: the exact-permissions test above holds that line.
  });
});

describe('Security-Policy (checks/raw/security_policy.go, probes/securityPolicy*, evaluation)', () => {
  // collectPolicyHits: the three patterns, per line.
  const URL_PATTERN = /(http|https):\/\/[a-zA-Z0-9./?=_%:-]*/g;
  const EMAIL_PATTERN = /\b[A-Za-z0-9._%+-]+(@|\\?\[at\\?\])[A-Za-z0-9.-]+\.[A-Za-z]{2,6}\b/g;
  // Go's `\b*` (zero or more boundaries) matches empty; JavaScript refuses it, so it is dropped here.
  const HINT_PATTERN = /([0-9]{1,4}\b|(Disclos|Vuln))/gi;

  function score(policy: string): number {
    const lines = policy.split('\n');
    const all = (pattern: RegExp) => lines.flatMap((line) => line.match(pattern) ?? []);
    const links = [...new Set([...all(URL_PATTERN), ...all(EMAIL_PATTERN)])];
    const hints = all(HINT_PATTERN).length;
    const linkedLength = links.reduce((sum, link) => sum + link.length, 0);
    let total = 0;
    if (links.length > 0) total += 6; // securityPolicyContainsLinks
    if (policy.length > 1 && policy.length > linkedLength + links.length * 2) total += 3; // ...ContainsText
    if (hints > 1) total += 1; // ...ContainsVulnerabilityDisclosure
    return total;
  }

  it('SECURITY.md scores 10: a link to report, text, and disclosure terms', () => {
    expect(score(read('SECURITY.md'))).toBe(10);
  });
  it('without an absolute URL or an address it would score 4 (a relative link does not count)', () => {
    const withoutUrl = read('SECURITY.md').replace(/https?:\/\/\S+/g, '');
    expect(score(withoutUrl)).toBe(4);
  });
});

describe('Signed-Releases (probes/releasesAreSigned, probes/releasesHaveProvenance)', () => {
  const pipeline = parse(read('.github/workflows/pipeline.yml')) as Json;
  const release = pipeline.jobs.release as Json;
  const publishRuns = (pipeline.jobs.publish.steps as Json[])
    .map((step) => String(step.run ?? ''))
    .join('\n');
  const releaseRun = (release.steps as Json[]).map((step) => String(step.run ?? '')).join('\n');

  it('a v* tag gets a release whose assets carry the names Scorecard looks for', () => {
    expect(release.needs).toEqual(['publish']);
    expect(release.if).toContain("startsWith(github.ref, 'refs/tags/v')");
    // Provenance scores 10 (".intoto.jsonl"); a signature ".sigstore.json" scores 8 on its own.
    for (const asset of [
      'provenance.intoto.jsonl',
      'provenance.intoto.jsonl.sigstore.json',
      'sbom.cdx.json.sigstore.json',
    ])
      expect(releaseRun).toContain(`"\${assets}/${asset}"`);
    expect(releaseRun).toContain('--verify-tag');
    expect(publishRuns).toContain('cosign sign-blob --yes --bundle "${assets}/${file}.sigstore.json"');
    expect(publishRuns).toContain('cp "$PROVENANCE" "${assets}/provenance.intoto.jsonl"');
  });

  it('contents: write is held by the release job alone, in every workflow', () => {
    expect(release.permissions).toEqual({ contents: 'write' });
    const holders = readdirSync(join(ROOT, '.github', 'workflows')).flatMap((file) =>
      Object.entries((parse(read(`.github/workflows/${file}`)) as Json).jobs as Json)
        .filter(([, each]) => (each as Json).permissions?.contents === 'write')
        .map(([name]) => `${file}:${name}`),
    );
    expect(holders).toEqual(['pipeline.yml:release']);
  });
});

/**
 * Pinned-Dependencies reads workflows' run steps, every file named *Dockerfile* and every shell script
 * (checks/raw/pinned_dependencies.go, shell_download_validate.go): `npm install`/`npm i`/`npm update`
 * (only `npm ci` is pinned), `pip install` without --require-hashes, a download piped to a shell, and a
 * FROM without a sha256 digest (ARG defaults substituted, earlier pinned stages allowed) all count.
 */
describe('Pinned-Dependencies (checks/raw/pinned_dependencies.go, shell_download_validate.go)', () => {
  // Scorecard reads these too, but their fix belongs to their owner: each with the reason.
  // Files Scorecard would count as unpinned that cannot be fixed yet, each with its reason (none now:
  // .ci/run gets Node from the lockfile like every other script).
  const PENDING: Record<string, string> = {};
  const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'coverage', 'reports']);

  function files(dir = ROOT): string[] {
    return readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      if (SKIP_DIRS.has(name)) return [];
      return statSync(full).isDirectory() ? files(full) : [relative(ROOT, full)];
    });
  }
  const isShellScript = (path: string, text: string) =>
    /\.(sh|bash|zsh|ksh|mksh)$/.test(path) ||
    /^#!.*\b(sh|bash|zsh|ksh|mksh|dash)\b/.test(text.split('\n')[0] ?? '');

  const words = (command: string) =>
    command
      .trim()
      .split(/\s+/)
      .filter((word) => word !== 'sudo');

  // isNpmDownload/isNpmUnpinnedDownload, isPipInstall/isUnpinnedPipInstall, collectFetchPipeExecute.
  function isUnpinned(command: string): boolean {
    const [tool, ...rest] = words(command);
    if (tool === 'npm')
      return (
        rest.some((word) => ['install', 'i', 'install-test', 'update'].includes(word)) && !rest.includes('ci')
      );
    const pip =
      tool === 'pip' || tool === 'pip3'
        ? rest
        : /^python3?$/.test(tool ?? '') && rest[0] === '-m' && rest[1] === 'pip'
          ? rest.slice(2)
          : [];
    if (pip[0] === 'install') return !pip.includes('--require-hashes');
    const stages = command.split('|').map((stage) => words(stage)[0] ?? '');
    const fetches = stages.findIndex((first) => first === 'curl' || first === 'wget');
    return (
      fetches >= 0 && stages.slice(fetches + 1).some((first) => ['sh', 'bash', 'zsh', 'dash'].includes(first))
    );
  }

  function unpinnedCommands(script: string): string[] {
    return script
      .replaceAll('\\\n', ' ')
      .split(/\n|&&|\|\||;/)
      .map((command) => command.trim())
      .filter(isUnpinned);
  }

  // validateDockerfilesPinning: ARG defaults substituted, `scratch` and stages built on a pinned image allowed.
  function unpinnedImages(dockerfile: string): string[] {
    const args = new Map<string, string>();
    const pinnedStages = new Set<string>();
    const found: string[] = [];
    for (const line of dockerfile.replaceAll('\\\n', ' ').split('\n')) {
      const [instruction, ...rest] = line.trim().split(/\s+/);
      if (instruction?.toUpperCase() === 'ARG') {
        const [name, value] = (rest[0] ?? '').split('=');
        if (name && value) args.set(name, value);
      }
      if (instruction?.toUpperCase() !== 'FROM') continue;
      const operands = rest.filter((word) => !word.startsWith('--'));
      const image = (operands[0] ?? '').replace(
        /\$\{(\w+)\}/g,
        (_match, name: string) => args.get(name) ?? '',
      );
      const stage = operands[1]?.toUpperCase() === 'AS' ? operands[2] : undefined;
      const pinned = image === 'scratch' || pinnedStages.has(image) || PINNED_BY_DIGEST.test(image);
      if (stage && pinned) pinnedStages.add(stage);
      if (!pinned) found.push(line.trim());
    }
    return found;
  }

  it('the scanner itself finds each kind of unpinned install', () => {
    expect(unpinnedCommands('npm install lodash@4.17.15')).toHaveLength(1);
    expect(unpinnedCommands('set -e\nnpm ci --ignore-scripts && npm run build')).toEqual([]);
    expect(unpinnedCommands('pip install requests')).toHaveLength(1);
    expect(unpinnedCommands('curl -fsSL https://example.com/x.sh | sh')).toHaveLength(1);
    expect(unpinnedImages('FROM node:latest')).toEqual(['FROM node:latest']);
    expect(unpinnedImages(read('Dockerfile'))).toEqual([]);
  });

  it('no workflow, Dockerfile or shell script in the repository installs anything unpinned', () => {
    const problems: string[] = [];
    for (const path of files()) {
      if (PENDING[path] !== undefined) continue;
      const text = read(path);
      if (/^\.github\/workflows\/.*\.ya?ml$/.test(path)) {
        for (const job of Object.values(((parse(text) as Json).jobs ?? {}) as Json)) {
          for (const step of ((job as Json).steps ?? []) as Json[]) {
            for (const command of unpinnedCommands(String(step.run ?? '')))
              problems.push(`${path}: ${command}`);
          }
        }
      } else if (/dockerfile/i.test(path.split('/').pop() ?? '')) {
        for (const image of unpinnedImages(text)) problems.push(`${path}: ${image}`);
        const runs = text
          .replace(/\\\n/g, ' ')
          .split('\n')
          .filter((line) => /^RUN\s/i.test(line))
          .map((line) => line.slice(4))
          .join('\n');
        for (const command of unpinnedCommands(runs)) problems.push(`${path}: ${command}`);
      } else if (isShellScript(path, text)) {
        for (const command of unpinnedCommands(text)) problems.push(`${path}: ${command}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the pending files are still what the exclusion says (drop the entry once fixed)', () => {
    for (const path of Object.keys(PENDING)) expect(unpinnedCommands(read(path)).length).toBeGreaterThan(0);
  });
});
