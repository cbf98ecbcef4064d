/**
 * The exceptions file (security/workflow-policy/exceptions.yaml): each entry excuses one rule in one
 * workflow until its expiry; an expired entry, or one naming a workflow or rule that does not exist,
 * fails the policy.
 */
import {
  checkExceptions,
  checkRepository,
  checkWorkflow,
  EXCEPTIONS_FILE,
  loadExceptions,
  readWorkflows,
  REGISTERED_RULES,
} from '../../security/workflow-policy.ts';
import type { WorkflowException } from '../../security/workflow-policy.ts';
import { ROOT, rules, workflowFile } from './helpers.ts';

const committed = loadExceptions(ROOT);
const workflows = readWorkflows(ROOT).map((file) => file.path.split('/').pop() ?? '');
const ids = REGISTERED_RULES.map((rule) => rule.id);
const TODAY = new Date('2026-12-02T00:00:00Z');
const AFTER_EXPIRY = new Date('2027-12-02T00:00:00Z');
const scorecard = workflowFile('.github/workflows/scorecard.yml');

describe('the committed exceptions', () => {
  it('each name a workflow, a rule, a reason and an expiry, and none is wrong today', () => {
    expect(committed.length).toBeGreaterThan(0);
    for (const entry of committed) {
      expect(workflows).toContain(entry.workflow);
      expect(ids).toContain(entry.rule);
      expect(entry.reason).not.toBe('');
      expect(entry.expires).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(checkExceptions(committed, workflows, ids, TODAY)).toEqual([]);
  });

  it('excuse the findings they name, and only until they expire', () => {
    expect(rules(checkWorkflow(ROOT, scorecard, { exceptions: committed, now: TODAY }))).toEqual([]);
    expect(rules(checkWorkflow(ROOT, scorecard, { exceptions: [], now: TODAY }))).toEqual(
      expect.arrayContaining(['permissions-write', 'sarif-fork-guard', 'image-by-digest']),
    );
    expect(rules(checkWorkflow(ROOT, scorecard, { exceptions: committed, now: AFTER_EXPIRY }))).toEqual(
      expect.arrayContaining(['permissions-write', 'sarif-fork-guard', 'image-by-digest']),
    );
  });
});

describe('a wrong entry fails the policy', () => {
  const entry: WorkflowException = {
    workflow: 'scorecard.yml',
    rule: 'image-by-digest',
    reason: 'a reason',
    expires: '2027-06-01',
  };
  const messages = (entries: WorkflowException[], now = TODAY) =>
    checkRepository(ROOT, { exceptions: entries, now })
      .filter((finding) => finding.rule === 'workflow-exception')
      .map((finding) => `${finding.file}: ${finding.message}`);

  it('when it has expired', () => {
    expect(messages([entry], new Date('2027-06-01T00:00:00Z'))).toEqual([
      `${EXCEPTIONS_FILE}: entry 1 (scorecard.yml, image-by-digest) expired on 2027-06-01; review it`,
    ]);
  });

  it('when its rule does not exist', () => {
    expect(messages([{ ...entry, rule: 'no-such-rule' }])).toEqual([
      `${EXCEPTIONS_FILE}: entry 1 (scorecard.yml, no-such-rule) names no rule of the workflow policy`,
    ]);
  });

  it('when its workflow does not exist', () => {
    expect(messages([{ ...entry, workflow: 'gone.yml' }])).toEqual([
      `${EXCEPTIONS_FILE}: entry 1 (gone.yml, image-by-digest) names no workflow of .github/workflows`,
    ]);
  });

  it('when it has no reason, no expiry, or one more than a year ahead', () => {
    expect(
      checkExceptions(
        [
          { ...entry, reason: '' },
          { ...entry, expires: 'soon' },
          { ...entry, expires: '2028-06-01' },
        ],
        workflows,
        ids,
        TODAY,
      ).map((finding) => finding.message),
    ).toEqual([
      'entry 1 (scorecard.yml, image-by-digest) has no reason',
      'entry 2 (scorecard.yml, image-by-digest) has no expiry (YYYY-MM-DD)',
      'entry 3 (scorecard.yml, image-by-digest) expires more than a year ahead',
    ]);
  });
});
