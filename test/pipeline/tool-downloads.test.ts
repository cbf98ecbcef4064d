/**
 * Tools fetched at run time are pinned by content, not by their release's own checksum file. Trivy is the
 * case of March 2026: a malicious release was published with a checksum file that matched it, so
 * setup-trivy's check (the release's checksums) would have passed it. Every trivy-action call therefore
 * skips setup-trivy and runs the Trivy that an earlier step of its job built with
 * scripts/ci/install-tools.sh (`go install` at security/tools.json's pin, which Go checks against
 * sum.golang.org) and put on PATH. aquasecurity/setup-trivy itself is used nowhere.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { edited, ROOT, workflowFile } from './helpers.ts';

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Workflow = { jobs?: Record<string, { steps?: Step[] }> };

const WORKFLOWS = readdirSync(join(ROOT, '.github/workflows'))
  .filter((name) => name.endsWith('.yml'))
  .map((name) => `.github/workflows/${name}`);

const INSTALLS_TRIVY = /SHS_TOOLS_DIR="\$\{RUNNER_TEMP\}\/tools" bash scripts\/ci\/install-tools\.sh trivy\n/;
const PUTS_ON_PATH = /echo "\$\{RUNNER_TEMP\}\/tools\/bin\/" >> "\$GITHUB_PATH"/;

/** What is wrong with how the workflow's jobs get their Trivy: one line per problem. */
function trivyDownloadProblems(path: string, text: string): string[] {
  const workflow = parse(text) as Workflow;
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    let installed = false;
    for (const [index, step] of (job.steps ?? []).entries()) {
      const where = `${path} ${id} step ${index + 1}`;
      if (typeof step.run === 'string' && INSTALLS_TRIVY.test(step.run) && PUTS_ON_PATH.test(step.run))
        installed = true;
      const uses = step.uses ?? '';
      if (uses.startsWith('aquasecurity/setup-trivy@'))
        problems.push(`${where}: setup-trivy downloads a release checked only by its own checksum file`);
      if (!uses.startsWith('aquasecurity/trivy-action@')) continue;
      if (step.with?.['skip-setup-trivy'] !== 'true')
        problems.push(`${where}: trivy-action without skip-setup-trivy: 'true' runs setup-trivy`);
      if (!installed) problems.push(`${where}: no earlier step installs Trivy with install-tools.sh`);
    }
  }
  return problems;
}

const trivyWorkflows = WORKFLOWS.filter((path) =>
  workflowFile(path).text.includes('aquasecurity/trivy-action@'),
);

it('the workflows that run Trivy are the gates, the pipeline (SBOM) and the gate self-test', () => {
  expect(trivyWorkflows.sort()).toEqual([
    '.github/workflows/gate-self-test.yml',
    '.github/workflows/pipeline.yml',
    '.github/workflows/security-gates.yml',
  ]);
});

it.each(WORKFLOWS)('%s gets Trivy only from install-tools.sh, never from setup-trivy', (path) => {
  expect(trivyDownloadProblems(path, workflowFile(path).text)).toEqual([]);
});

describe('fails', () => {
  it('a trivy-action call that runs setup-trivy (skip-setup-trivy removed)', () => {
    const { path, text } = edited('.github/workflows/security-gates.yml', (original) =>
      original.replace(
        "          exit-code: '0'\n          skip-setup-trivy: 'true'\n",
        "          exit-code: '0'\n",
      ),
    );
    expect(trivyDownloadProblems(path, text)).toEqual([
      expect.stringMatching(/security-gates\.yml trivy step \d+: trivy-action without skip-setup-trivy/),
    ]);
  });

  it('a job whose install step is gone', () => {
    const { path, text } = edited('.github/workflows/pipeline.yml', (original) =>
      original.replace(INSTALLS_TRIVY, 'true\n'),
    );
    expect(trivyDownloadProblems(path, text)).toEqual([
      expect.stringMatching(/pipeline\.yml sbom step \d+: no earlier step installs Trivy/),
    ]);
  });

  it('setup-trivy used directly', () => {
    const text = [
      'jobs:',
      '  scan:',
      '    steps:',
      '      - uses: aquasecurity/setup-trivy@3fb12ec12f41e471780db15c232d5dd185dcb514 # v0.2.6',
      '',
    ].join('\n');
    expect(trivyDownloadProblems('x.yml', text)).toEqual([
      'x.yml scan step 1: setup-trivy downloads a release checked only by its own checksum file',
    ]);
  });
});
