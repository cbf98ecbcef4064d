/** The `tool-version` invariant (tool pins); its helpers are in ../helpers/tool-pins.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { TOOLS_FILE } from '../../constants.ts';
import { loadToolPins, installerVersion, namedVersions } from '../helpers/tool-pins.ts';

export const TOOL_VERSION: WorkflowRule = defineRule('tool-version', 'step', {
  description: `An action that installs or bundles a scanner (trivy-action, setup-trivy, cosign-installer, scorecard-action, checkov-action) installs the version ${TOOLS_FILE} pins, by its input or by its default at the pinned release; an image tag, pip or go install in a step names that version too.`,
  help: `Change the version in ${TOOLS_FILE} (CI here installs and runs that one) and in the workflow together; record a newly reviewed release's default under "actions".`,
  check: (scope) => {
    const pins = loadToolPins(scope.root);
    return [...installerVersion(pins, scope), ...namedVersions(pins, scope)];
  },
});
