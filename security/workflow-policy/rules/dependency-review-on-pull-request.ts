/** The `dependency-review-on-pull-request` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { report, ofAction } from '../helpers/tool-contracts.ts';

export const DEPENDENCY_REVIEW_ON_PULL_REQUEST: WorkflowRule = defineRule(
  'dependency-review-on-pull-request',
  'step',
  {
    description:
      'actions/dependency-review-action runs only on pull requests (or with base-ref and head-ref): elsewhere its git-refs.ts throws.',
    help: "Guard the step with `if: github.event_name == 'pull_request'`.",
    check: ofAction('actions/dependency-review-action', ({ inputs, label, step }) => {
      const refsGiven = inputs['base-ref'] !== undefined && inputs['head-ref'] !== undefined;
      return report(
        !refsGiven && !/github\.event_name\s*==\s*'pull_request'/.test(text(step.if)),
        `${label} can run outside a pull request`,
      );
    }),
  },
);
