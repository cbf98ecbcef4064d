/**
 * Step safety: only inputs an action really has, and every policy file a step names present. Untrusted
 * text pasted into a shell and a token left on disk are zizmor's template-injection and artipacked.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- checks that a path a workflow names exists
   inside the repository under check. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowRule } from '../rule.ts';
import { text } from '../rule.ts';

/** `with:` keys whose value names a file in the repository, by action. */
export const CONFIG_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'github/codeql-action/init': ['config-file'],
  'aquasecurity/trivy-action': ['trivy-config', 'trivyignores'],
  'bridgecrewio/checkov-action': ['config_file'],
  'zaproxy/action-baseline': ['rules_file_name'],
  'zaproxy/action-full-scan': ['rules_file_name'],
  'actions/dependency-review-action': ['config-file'],
};

export const STEP_SAFETY_RULES: readonly WorkflowRule[] = [
  {
    id: 'action-input',
    level: 'step',
    description: 'Every `with:` key is an input the pinned release of that action declares.',
    help: 'An action ignores an unknown input with at most a warning, so a misspelt gate setting (`severities:`) silently does nothing.',
    check: ({ action, inputs, step, actions, stepPath }) => {
      const reviewed = actions[action];
      if (!reviewed || !text(step.uses).includes('@')) return [];
      return Object.keys(inputs)
        .filter((key) => !reviewed.inputs.includes(key))
        .map((key) => ({
          message: `${action} ${reviewed.tag} has no input "${key}"`,
          at: [...stepPath, 'with', key],
        }));
    },
  },
  {
    id: 'config-missing',
    level: 'step',
    description: 'Every policy file a step names (config files, rules files, ignore files) exists.',
    help: 'Several scanners only log a line when their policy file is missing and then scan with defaults.',
    check: ({ action, inputs, root, stepPath }) =>
      (CONFIG_INPUTS[action] ?? []).flatMap((key) =>
        text(inputs[key])
          .split(',')
          .map((path) => path.trim())
          .filter((path) => path && !path.includes('${{') && !existsSync(join(root, path)))
          .map((path) => ({ message: `${key}: ${path} does not exist`, at: [...stepPath, 'with', key] })),
      ),
  },
];
