import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSeq, parse } from 'yaml';
import {
  checkRepository,
  checkWorkflow,
  loadReviewedActions,
  readWorkflows,
  REGISTERED_RULES,
  WORKFLOW_RULES,
  workflowRuleTable,
} from '../../security/workflow-policy.ts';
import type { WorkflowFile } from '../../security/workflow-policy.ts';
import { edited, GATES, mutated, PIPELINE, ROOT, rules, workflowFile } from './helpers.ts';
import { checkFixture, fixtures, fixtureText, marks } from './workflow-fixtures.ts';

const actions = loadReviewedActions(ROOT);
const check = (file: WorkflowFile) => rules(checkWorkflow(ROOT, file, { actions }));
const HARDEN = 'step-security/harden-runner@b09bb98e06d4d774595224525879c09bc6e98c40';

describe('the repository as committed', () => {
  it('has the pipeline and the reusable gates, and no policy finding in any workflow or policy file', () => {
    const paths = readWorkflows(ROOT).map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining([PIPELINE, GATES]));
    expect(checkRepository(ROOT)).toEqual([]);
  });

  it('hands the deploy workflows the pushed digest as the image-digest artifact', () => {
    const publish = (parse(workflowFile(PIPELINE).text) as { jobs: Record<string, { steps: Step[] }> }).jobs
      .publish;
    const upload = publish?.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'image-digest',
      path: '${{ runner.temp }}/image-digest/digest.txt',
    });
    const record = publish?.steps.find((step) => step.run?.includes('digest.txt'));
    expect(record?.run).toContain('"$IMAGE" "$DIGEST"');
  });
});

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

// Each fixture under fixtures/workflow-policy/ is named by the rule it plants violations of
// (workflow-fixtures.ts) and marks every line that must be reported with "# expect: <rule>"; the findings
// must be exactly those marks. That each reports its own rule and no other is workflow-rule-layout's.
describe('each rule bites on its fixture, at the line it marks', () => {
  it.each(fixtures)('%s', (name) => {
    const findings = checkFixture(name);
    const reported = findings.map((finding) => `${finding.line}:${finding.rule}`);
    expect([...new Set(reported)].sort()).toEqual([...new Set(marks(fixtureText(name)))].sort());
    for (const finding of findings) expect(finding.column).toBeGreaterThan(0);
  });

  it('has a fixture mark for every registered rule', () => {
    const marked = new Set(
      fixtures.flatMap((name) => marks(fixtureText(name)).map((mark) => mark.split(':')[1])),
    );
    expect(REGISTERED_RULES.map((rule) => rule.id).filter((id) => !marked.has(id))).toEqual([]);
  });

  it('reports a file that is not YAML, with its position', () => {
    const [finding] = checkWorkflow(ROOT, { path: GATES, text: 'jobs: [unclosed' }, { actions });
    expect(finding).toMatchObject({ rule: 'yaml', file: GATES, line: 1 });
  });

  it('places findings in the real workflows too: a planted input lands on its with: line', () => {
    const planted = mutated(GATES, (d) =>
      d.setIn(['jobs', 'test', 'steps', 1, 'with', 'persist-credential'], 'false'),
    );
    const [finding] = checkWorkflow(ROOT, planted, { actions });
    expect(finding?.rule).toBe('action-input');
    expect(planted.text.split('\n')[(finding?.line ?? 0) - 1]).toMatch(/^\s+persist-credential: /);
  });
});

describe('the shapes a workflow may take', () => {
  const workflow = (on: string, needs: string) =>
    [
      `on: ${on}`,
      'permissions: {}',
      'jobs:',
      ...['gate', 'other', 'publish'].flatMap((job) => [
        `  ${job}:`,
        ...(job === 'publish' ? [`    needs: ${needs}`] : []),
        '    runs-on: ubuntu-24.04',
        '    timeout-minutes: 5',
        '    permissions: {}',
        '    steps:',
        `      - uses: ${HARDEN} # v2.20.1`,
        '        with:',
        '          egress-policy: audit',
      ]),
    ].join('\n');
  const publishRules = (on: string, needs: string) =>
    check({ path: 'x.yml', text: workflow(on, needs) }).filter((rule) => rule.startsWith('publish-'));

  it.each([
    ['a list', '[push, pull_request]'],
    ['one event', 'pull_request'],
    ['a map', '{ pull_request: null }'],
  ])('reads the triggers of on: as %s', (_shape, on) => {
    expect(publishRules(on, '[gate, other]')).toEqual(['publish-not-on-pull-request']);
    expect(publishRules(on.replace('pull_request', 'workflow_dispatch'), '[gate, other]')).toEqual([]);
  });

  it('reads needs: given as one job', () => {
    expect(publishRules('push', 'gate')).toEqual(['publish-needs-gates']);
    expect(publishRules('push', '[gate, other]')).toEqual([]);
  });
});

describe('positions', () => {
  it('place a finding about a node that is missing at the nearest node there is', () => {
    const planted = mutated(PIPELINE, (d) => d.deleteIn(['jobs', 'summary']));
    const finding = checkWorkflow(ROOT, planted, { actions }).find((f) => f.rule === 'digest-summary');
    expect(finding?.message).toContain('needs.gates.outputs.image-digest');
    expect(planted.text.split('\n')[(finding?.line ?? 0) - 1]).toBe('jobs:');
  });

  it('are left out for an empty file, which has no node to point at', () => {
    const file = { path: 'x.yml', text: 'on: push\npermissions: {}\njobs: {}\n' };
    expect(checkWorkflow(ROOT, file, { actions })).toEqual([]);
    const empty = { path: 'x.yml', text: '' };
    expect(checkWorkflow(ROOT, empty, { actions }).map((f) => [f.rule, f.line])).toEqual([
      ['permissions-top-level', undefined],
    ]);
  });
});

describe('the rule registry', () => {
  it('gives every rule a unique id per level, a description and help', () => {
    const keys = REGISTERED_RULES.map((rule) => `${rule.level}:${rule.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const rule of REGISTERED_RULES) {
      expect(rule.description).toMatch(/\S.{10,}/);
      expect(rule.help).toMatch(/\S.{10,}/);
    }
  });

  it('is the SARIF rule table and the docs table: docs/pipeline.md holds the generated table', () => {
    for (const rule of REGISTERED_RULES) expect(WORKFLOW_RULES[rule.id]).toBeDefined();
    const docs = readFileSync(join(ROOT, 'docs', 'pipeline.md'), 'utf8');
    const table = /<!-- workflow-rules:start -->\n([\s\S]*?)\n<!-- workflow-rules:end -->/.exec(docs)?.[1];
    expect(table).toBe(workflowRuleTable());
  });
});

describe('the exceptions table', () => {
  const DEPLOY = '.github/workflows/deploy-cloudrun.yml';
  const SELF_TEST = '.github/workflows/gate-self-test.yml';

  it('lets a deploy workflow take dispatch inputs, and nothing more', () => {
    expect(check(workflowFile(DEPLOY))).toEqual([]);
    expect(check(mutated(DEPLOY, (d) => d.set('permissions', 'write-all')))).toContain(
      'permissions-top-level',
    );
  });

  it('does not extend a workflow exception to another workflow', () => {
    const renamed = { ...workflowFile(DEPLOY), path: '.github/workflows/deploy-elsewhere.yml' };
    expect(check(renamed)).toEqual(['dispatch-inputs']);
  });

  it('lets the gate self-test build its flawed variants, but still holds it to the other rules', () => {
    expect(check(workflowFile(SELF_TEST))).toEqual([]);
    expect(check(edited(SELF_TEST, (t) => t.replace(`${HARDEN} # v2.20.1`, `${HARDEN}`)))).toContain(
      'pin-comment',
    );
  });

  it('treats a CodeQL analysis with upload: never as no SARIF upload', () => {
    const uploading = mutated(SELF_TEST, (d) => {
      const steps = d.getIn(['jobs', 'codeql', 'steps']);
      if (!isSeq(steps)) throw new Error('no codeql steps');
      for (const step of steps.items) {
        const item = step as { getIn(path: string[]): unknown; setIn(path: string[], value: unknown): void };
        if (item.getIn(['with', 'upload']) === 'never') item.setIn(['with', 'upload'], 'always');
      }
    });
    expect(check(uploading)).toEqual(expect.arrayContaining(['sarif-permission', 'sarif-fork-guard']));
  });
});
