/**
 * The exceptions to the workflow rules, as data: security/workflow-policy/exceptions.yaml lists each one
 * with the workflow and rule it excuses, its reason and its expiry, like .trivyignore. An entry applies
 * only until it expires; an expired entry, or one whose workflow or rule does not exist, is a finding.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the exceptions file at its fixed path
   inside the repository under check; no request or user input reaches these calls. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expiryProblem } from './policy-files.ts';
import type { Finding } from './rule.ts';
import { isRecord, list, text } from './rule.ts';

export const EXCEPTIONS_FILE = 'security/workflow-policy/exceptions.yaml';

export const EXCEPTION_RULES: Readonly<Record<string, string>> = {
  'workflow-exception': `Every entry of ${EXCEPTIONS_FILE} names an existing workflow and rule, gives a reason, and expires (YYYY-MM-DD) at most a year ahead and not in the past.`,
};

export interface WorkflowException {
  /** The workflow's file name under .github/workflows, e.g. `scorecard.yml`. */
  workflow: string;
  rule: string;
  reason: string;
  /** YYYY-MM-DD: from that day the entry no longer applies. */
  expires: string;
}

/** The entries of the exceptions file under `root`; none when the file is absent. */
export function loadExceptions(root: string): WorkflowException[] {
  const path = join(root, EXCEPTIONS_FILE);
  if (!existsSync(path)) return [];
  return list(parse(readFileSync(path, 'utf8'))).map((entry) => {
    const field = (key: string) => (isRecord(entry) ? text(entry[key]).trim() : '');
    return {
      workflow: field('workflow'),
      rule: field('rule'),
      reason: field('reason'),
      expires: field('expires'),
    };
  });
}

const expiryOf = (entry: WorkflowException) =>
  /^\d{4}-\d{2}-\d{2}$/.test(entry.expires) ? new Date(`${entry.expires}T00:00:00Z`) : undefined;

/** Whether an entry still applies on `now`: it names its reason and has not expired. */
export function applies(entry: WorkflowException, now: Date): boolean {
  const expires = expiryOf(entry);
  return entry.reason !== '' && expires !== undefined && expires.getTime() > now.getTime();
}

/** The findings on the entries themselves, given the workflows and rule ids that exist. */
export function checkExceptions(
  entries: readonly WorkflowException[],
  workflows: readonly string[],
  rules: readonly string[],
  now: Date,
): Finding[] {
  return entries.flatMap((entry, index) => {
    const where = `entry ${index + 1} (${entry.workflow || 'no workflow'}, ${entry.rule || 'no rule'})`;
    const problems = [
      ...(workflows.includes(entry.workflow) ? [] : ['names no workflow of .github/workflows']),
      ...(rules.includes(entry.rule) ? [] : ['names no rule of the workflow policy']),
      ...(entry.reason === '' ? ['has no reason'] : []),
    ];
    const expiry = expiryProblem(expiryOf(entry), now);
    if (expiry !== undefined) problems.push(expiry.replace('{date}', entry.expires));
    return problems.map((problem) => ({
      rule: 'workflow-exception',
      file: EXCEPTIONS_FILE,
      message: `${where} ${problem}`,
    }));
  });
}
