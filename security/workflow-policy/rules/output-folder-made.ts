/** The `output-folder-made` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import { dirname } from 'node:path';
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { WRITERS_WITHOUT_MKDIR, linesUpTo, covered, madeFolders, report } from '../helpers/tool-contracts.ts';

export const OUTPUT_FOLDER_MADE: WorkflowRule = defineRule('output-folder-made', 'step', {
  description:
    'A step that writes a report into a folder has that folder made earlier in its job when the tool makes none: Trivy opens its output with a bare os.Create (aquasecurity/trivy pkg/flag/options.go, OutputWriter).',
  help: 'Add `mkdir -p <folder>` in a step before the one that writes there.',
  check: (scope) => {
    const input = WRITERS_WITHOUT_MKDIR[scope.action];
    if (input === undefined) return [];
    const output = text(scope.inputs[input]);
    const folder = output === '' ? '.' : dirname(output);
    // `mkdir -p a/b` makes a/ too.
    const made = linesUpTo(scope).flatMap(madeFolders);
    return report(
      folder !== '.' && !made.some((path) => covered(path, [folder])),
      `${scope.label} writes ${output}, but no earlier step makes ${folder}/`,
    );
  },
});
