/** The `tool-hash` invariant (tool pins); its helpers are in ../helpers/tool-pins.ts. */
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, record, text } from '../rule.ts';
import { TOOLS_FILE } from '../../constants.ts';
import { keepsReleaseHash, loadToolPins, TOOL_HASH_CHECK } from '../helpers/tool-pins.ts';

export const TOOL_HASH: WorkflowRule = defineRule('tool-hash', 'step', {
  description: `An installer action of a tool whose release SHA-256 ${TOOLS_FILE} keeps (cosign-installer for cosign) names the version in its input, never leaving it to the action's default, and the very next step of its job runs \`${TOOL_HASH_CHECK} <tool>\`, so nothing runs the tool before its bytes were compared with the kept hash.`,
  help: `Set the input (cosign-release: the version ${TOOLS_FILE} pins, the installer's bootstrap version) and add right after it a step \`run: ${TOOL_HASH_CHECK} <tool>\`. A release replaced together with its checksum file passes the installer's own check, not this one.`,
  check: (scope) => {
    const pins = loadToolPins(scope.root);
    const installer = pins.actions[scope.action];
    if (installer === undefined || !keepsReleaseHash(pins, installer.tool)) return [];
    const reports: Report[] = [];
    if (installer.input !== undefined && text(scope.inputs[installer.input]) === '')
      reports.push({
        message: `${scope.label}: ${scope.action} without \`${installer.input}\` installs whatever its release defaults to; name the version ${TOOLS_FILE} pins, whose SHA-256 it keeps`,
      });
    const next = record(scope.steps[scope.index + 1]);
    const command = `${TOOL_HASH_CHECK} ${installer.tool}`;
    const checks = text(next.run)
      .split('\n')
      .map((line) => line.trim())
      .some((line) => line === command || line.endsWith(` ${command}`));
    if (!checks)
      reports.push({
        message: `${scope.label}: the next step of the job does not run \`${TOOL_HASH_CHECK} ${installer.tool}\`; ${installer.tool} would run unchecked against the SHA-256 ${TOOLS_FILE} keeps`,
      });
    return reports;
  },
});
