import { checkWorkflow, loadReviewedActions, readWorkflows } from '../../security/workflow-policy.ts';
import { allowedEndpoints, holdsWriteToken } from '../../security/workflow-policy/rules/egress-block.ts';
import { record } from '../../security/workflow-policy/rule.ts';
import { parse } from 'yaml';
import { mutated, PIPELINE, ROOT } from './helpers.ts';

const actions = loadReviewedActions(ROOT);
const egress = (file: { path: string; text: string }) =>
  checkWorkflow(ROOT, file, { actions }).filter((finding) => finding.rule === 'egress-block');

describe('which jobs hold a token that can write', () => {
  it.each([
    ['a write scope on the job', {}, { permissions: { 'security-events': 'write' } }, true],
    ['an OIDC grant', {}, { permissions: { 'id-token': 'write', contents: 'read' } }, true],
    ['write-all', {}, { permissions: 'write-all' }, true],
    ['a write scope inherited from the workflow', { permissions: { contents: 'write' } }, {}, true],
    ['the default token (no permissions anywhere)', {}, {}, true],
    [
      'read scopes only',
      { permissions: { contents: 'write' } },
      { permissions: { contents: 'read' } },
      false,
    ],
    ['read-all', {}, { permissions: 'read-all' }, false],
    ['nothing', { permissions: {} }, {}, false],
  ])('%s', (_case, workflow, job, expected) => {
    expect(holdsWriteToken(workflow, job)).toBe(expected);
  });
});

describe('the committed workflows', () => {
  const tokenJobs = readWorkflows(ROOT).flatMap((file) => {
    const workflow = record(parse(file.text));
    return Object.entries(record(workflow.jobs))
      .filter(([, job]) => record(job)['runs-on'] !== undefined && holdsWriteToken(workflow, record(job)))
      .map(([id, job]) => ({ file: file.path, id, first: record((record(job).steps as unknown[])[0]) }));
  });

  it('block egress in every job that holds a write token, each endpoint host:port', () => {
    expect(tokenJobs.length).toBeGreaterThanOrEqual(14);
    for (const { first } of tokenJobs) {
      expect(record(first.with)['egress-policy']).toBe('block');
      for (const entry of allowedEndpoints(first)) expect(entry).toMatch(/^[\w.*-]+:\d+$/);
    }
    for (const file of readWorkflows(ROOT)) expect(egress(file)).toEqual([]);
  });

  it('fail the rule when publish goes back to audit mode', () => {
    const planted = mutated(PIPELINE, (d) =>
      d.setIn(['jobs', 'publish', 'steps', 0, 'with', 'egress-policy'], 'audit'),
    );
    expect(egress(planted).map((finding) => finding.job)).toEqual(['publish']);
  });

  // Not a fixture case: such a job breaks harden-runner-first too, and a fixture reports its own rule only.
  it('fail the rule when publish no longer starts with harden-runner', () => {
    const planted = mutated(PIPELINE, (d) => d.deleteIn(['jobs', 'publish', 'steps', 0]));
    const [finding] = egress(planted);
    expect(finding?.message).toBe('a job holding a write token must start with harden-runner');
    expect(finding?.job).toBe('publish');
  });

  it('fail the rule when publish loses its endpoint list', () => {
    const planted = mutated(PIPELINE, (d) =>
      d.deleteIn(['jobs', 'publish', 'steps', 0, 'with', 'allowed-endpoints']),
    );
    expect(egress(planted)[0]?.message).toContain('lets nothing out');
  });
});
