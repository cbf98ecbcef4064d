/** The `action-input` invariant (step safety). */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';

export const ACTION_INPUT: WorkflowRule = defineRule('action-input', 'step', {
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
});
