import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, type Document } from 'yaml';
import {
  checkWorkflow,
  loadReviewedActions,
  readWorkflows,
  WORKFLOW_RULE_GROUPS,
  type WorkflowFile,
} from '../../security/workflow-policy.ts';
import { edited, GATES, mutated, PIPELINE, ROOT, workflowFile } from './helpers.ts';

// The tool contracts are a rule group of the workflow policy (security/workflow-policy/rules/
// tool-contracts.ts); these tests plant breaches in the real workflows and look at that group's findings.
const CONTRACT_RULES = [...new Set(WORKFLOW_RULE_GROUPS['tool contracts']?.map((rule) => rule.id))];
const SELF_TEST = '.github/workflows/gate-self-test.yml';
const actions = loadReviewedActions(ROOT);

const contractFindings = (workflow: WorkflowFile, root = ROOT) =>
  checkWorkflow(root, workflow, { actions }).filter((finding) => CONTRACT_RULES.includes(finding.rule));
const check = (workflow: WorkflowFile) => contractFindings(workflow);
const rulesOf = (workflow: WorkflowFile): string[] =>
  [...new Set(check(workflow).map((finding) => finding.rule))].sort();
const formatContractFindings = (findings: ReturnType<typeof contractFindings>) =>
  findings
    .map((finding) => `${finding.file}:${finding.line} ${finding.job}: ${finding.rule} ${finding.message}`)
    .join('\n');

/** The index of a job's step by name, so a planted defect lands on the step it means. */
function stepIndex(document: Document, job: string, name: string): number {
  const steps = document.getIn(['jobs', job, 'steps']);
  if (!isSeq(steps)) throw new Error(`no steps in ${job}`);
  const index = steps.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (index === -1) throw new Error(`no step "${name}" in ${job}`);
  return index;
}
function setStep(job: string, name: string, key: string[], value: unknown) {
  return mutated(GATES, (document) =>
    document.setIn(['jobs', job, 'steps', stepIndex(document, job, name), ...key], value),
  );
}
function deleteStep(job: string, name: string) {
  return mutated(GATES, (document) =>
    document.deleteIn(['jobs', job, 'steps', stepIndex(document, job, name)]),
  );
}

describe('the tool contracts on the real workflows', () => {
  it('hold in every workflow', () => {
    expect(formatContractFindings(readWorkflows(ROOT).flatMap((file) => contractFindings(file)))).toBe('');
  });

  it('are each listed in the contracts table of docs/pipeline.md', () => {
    const table = readFileSync(join(ROOT, 'docs', 'pipeline.md'), 'utf8').split('## Tool contracts')[1] ?? '';
    expect(CONTRACT_RULES.length).toBeGreaterThan(10);
    for (const rule of CONTRACT_RULES) expect(table).toContain(`\`${rule}\``);
  });
});

describe('the contract exceptions', () => {
  it('let only scorecard.yml run the official Scorecard action, whose image is named by tag', () => {
    const scorecard = workflowFile('.github/workflows/scorecard.yml');
    expect(formatContractFindings(contractFindings(scorecard))).toBe('');
    const elsewhere = { ...scorecard, path: '.github/workflows/score-elsewhere.yml' };
    expect(contractFindings(elsewhere).map((finding) => finding.rule)).toEqual(['image-by-digest']);
  });
});

describe('each contract fails when broken', () => {
  // Each row breaks one contract in a real workflow and names the rule that must catch it.
  const planted: [string, () => WorkflowFile, string[]][] = [
    // Issue 12, defect 1: Trivy's report folder was never made.
    [
      'Trivy writes into a folder no step made',
      () => deleteStep('trivy', 'Make the report folder'),
      ['output-folder-made'],
    ],
    [
      'the folder is made only after Trivy ran',
      () =>
        mutated(GATES, (document) => {
          const steps = document.getIn(['jobs', 'trivy', 'steps']);
          if (!isSeq(steps)) throw new Error('no steps');
          const from = stepIndex(document, 'trivy', 'Make the report folder');
          const [made] = steps.items.splice(from, 1);
          steps.items.splice(from + 1, 0, made);
        }),
      ['output-folder-made'],
    ],
    [
      'the SBOM job writes into $RUNNER_TEMP/sbom, made by no step',
      () => {
        const text = readFileSync(join(ROOT, PIPELINE), 'utf8');
        const planted = text.replace('          mkdir -p "${RUNNER_TEMP}/sbom"\n', '');
        if (planted === text) throw new Error('the SBOM folder is no longer made this way');
        return { path: PIPELINE, text: planted };
      },
      ['output-folder-made'],
    ],
    [
      'Trivy writes a .sarif file in table format',
      () => setStep('trivy', 'Trivy scan to SARIF (report only)', ['with', 'format'], 'table'),
      ['sarif-from-scanner', 'trivy-sarif-shape'],
    ],
    [
      'a SARIF Trivy run gates on its exit code (severity is ignored there)',
      () => setStep('trivy', 'Trivy scan to SARIF (report only)', ['with', 'exit-code'], '1'),
      ['trivy-sarif-shape'],
    ],
    [
      'the SARIF upload names a file the scanner does not write',
      () => setStep('trivy', 'Upload Trivy SARIF', ['with', 'sarif_file'], 'reports/trivy-results.sarif'),
      ['sarif-from-scanner'],
    ],
    [
      'the Checkov SARIF is written to another path than the one counted and uploaded',
      () =>
        edited(GATES, (text) =>
          text.replace('console,reports/checkov/results_sarif.sarif', 'console,reports/checkov.sarif'),
        ),
      ['sarif-from-scanner'],
    ],
    [
      'Checkov gets fewer output paths than outputs',
      () =>
        edited(GATES, (text) =>
          text.replace('--output-file-path console,reports/', '--output-file-path reports/'),
        ),
      ['checkov-output-paths', 'sarif-from-scanner'],
    ],
    // Issue 12, defect 3: the CodeQL gate that could never fail.
    [
      'the CodeQL gate without the security-severity threshold',
      () =>
        edited(GATES, (text) =>
          text.replace(' --fail-security-severity 7.0 reports/codeql', ' reports/codeql'),
        ),
      ['codeql-gate-threshold'],
    ],
    [
      'the CodeQL gate with a threshold above high',
      () =>
        edited(GATES, (text) => text.replace('--fail-security-severity 7.0', '--fail-security-severity 9.0')),
      ['codeql-gate-threshold'],
    ],
    [
      'the CodeQL gate reading a folder analyze does not write',
      () => edited(GATES, (text) => text.replace('7.0 reports/codeql', '7.0 reports/codeql-sarif')),
      ['sarif-from-scanner'],
    ],
    // Issue 12, defect 4: the ZAP rules file left to the action.
    [
      'the ZAP step without -c',
      () => setStep('zap', 'ZAP baseline scan', ['with', 'cmd_options'], '-a -m 1'),
      ['zap-rules-passed'],
    ],
    [
      'the ZAP step passing another file than its rules_file_name',
      () => setStep('zap', 'ZAP baseline scan', ['with', 'cmd_options'], '-a -m 1 -c rules.tsv'),
      ['zap-rules-passed'],
    ],
    [
      'the ZAP step ignoring warnings',
      () =>
        setStep('zap', 'ZAP baseline scan', ['with', 'cmd_options'], '-a -m 1 -I -c security/zap/rules.tsv'),
      ['zap-rules-passed'],
    ],
    [
      'the ZAP image by its moving tag',
      () => setStep('zap', 'ZAP baseline scan', ['with', 'docker_name'], 'ghcr.io/zaproxy/zaproxy:stable'),
      ['image-by-digest'],
    ],
    [
      'the ZAP image by another digest than the local runner and the self-test use',
      () =>
        setStep(
          'zap',
          'ZAP baseline scan',
          ['with', 'docker_name'],
          `ghcr.io/zaproxy/zaproxy:stable@sha256:${'0'.repeat(64)}`,
        ),
      ['image-by-digest'],
    ],
    [
      'the checkov-action, whose image is a tag',
      () =>
        setStep(
          'checkov',
          'Checkov (pinned release, checkov.yaml)',
          ['uses'],
          'bridgecrewio/checkov-action@59b9d7edfcad5b87fbe3f473a9a134a721ad03f8',
        ),
      ['image-by-digest'],
    ],
    [
      'a docker run of an image by tag',
      () =>
        edited(GATES, (text) =>
          text.replace(
            'docker run --rm --network host -v "${work}:/zap/wrk:rw" "${image}"',
            'docker run --rm --network host -v "${work}:/zap/wrk:rw" ghcr.io/zaproxy/zaproxy:stable',
          ),
        ),
      ['image-by-digest'],
    ],
    [
      'a job container by tag',
      () => mutated(GATES, (document) => document.setIn(['jobs', 'test', 'container'], 'node:24')),
      ['image-by-digest'],
    ],
    [
      'a docker:// action by tag',
      () =>
        setStep(
          'checkov',
          'Checkov (pinned release, checkov.yaml)',
          ['uses'],
          'docker://bridgecrew/checkov:3.3.8',
        ),
      ['image-by-digest'],
    ],
    [
      'a repository script before the checkout',
      () =>
        mutated(GATES, (document) => {
          const steps = document.getIn(['jobs', 'checkov', 'steps']);
          if (!isSeq(steps)) throw new Error('no steps');
          steps.items.splice(1, 1);
        }),
      ['checkout-first'],
    ],
    [
      'npm audit signatures with nothing installed',
      () => deleteStep('dependencies', 'Install dependencies without their scripts'),
      ['npm-audit-signatures-installed'],
    ],
    [
      'dependency review on every event',
      () =>
        setStep(
          'dependencies',
          'Dependency review (new dependencies in this pull request)',
          ['if'],
          '${{ always() }}',
        ),
      ['dependency-review-on-pull-request'],
    ],
  ];

  it.each(planted)('catches %s', (_defect, workflow, expected) => {
    expect(rulesOf(workflow())).toEqual([...expected].sort());
  });

  it('catches setup-node caching npm where no lockfile is', () => {
    const findings = contractFindings(workflowFile(GATES), join(ROOT, 'test'));
    expect([...new Set(findings.map((finding) => finding.rule))]).toContain('setup-node-lockfile');
  });

  it('has a planted breach for every contract', () => {
    const exercised = new Set<string>([...planted.flatMap(([, , rules]) => rules), 'setup-node-lockfile']);
    expect([...exercised].sort()).toEqual([...CONTRACT_RULES].sort());
  });

  it('checks the self-test workflow too: its scanner images come from the digest pins', () => {
    expect(check(workflowFile(SELF_TEST))).toEqual([]);
    const unpinned = edited(SELF_TEST, (text) =>
      text.replace('-v "${work}:/zap/wrk:rw" "${image}" \\', '-v "${work}:/zap/wrk:rw" zaproxy/zaproxy \\'),
    );
    expect(rulesOf(unpinned)).toEqual(['image-by-digest']);
  });
});
