/** The `checkout-first` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, actionName, text } from '../rule.ts';
import { REPOSITORY_FILE_INPUTS, stepsBefore, report } from '../helpers/tool-contracts.ts';

export const CHECKOUT_FIRST: WorkflowRule = defineRule('checkout-first', 'step', {
  description:
    'A step that reads repository files (a config input, a repository script, npm) comes after actions/checkout in its job.',
  help: 'Before actions/checkout the workspace is empty: the step would read nothing, or fail.',
  check: (scope) => {
    const readsInputs = (REPOSITORY_FILE_INPUTS[scope.action] ?? []).some(
      (input) => scope.inputs[input] !== undefined,
    );
    const readsScripts =
      /\b(node (security|scripts|deploy)\/|npm (ci|run|test|audit)|jq [^|]*security\/)/.test(scope.run);
    const checkedOut = stepsBefore(scope).some((step) => actionName(text(step.uses)) === 'actions/checkout');
    return report(
      !checkedOut && (readsInputs || readsScripts),
      `${scope.label} reads repository files before actions/checkout`,
    );
  },
});
