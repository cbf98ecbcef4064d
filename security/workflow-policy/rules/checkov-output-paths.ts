/** The `checkov-output-paths` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { commands, checkovOutputs } from '../helpers/tool-contracts.ts';

export const CHECKOV_OUTPUT_PATHS: WorkflowRule = defineRule('checkov-output-paths', 'step', {
  description:
    'A Checkov run with a comma list in --output-file-path gives one path per --output, in order: Checkov maps them by index (checkov common/runners/runner_registry.py).',
  help: 'Give --output-file-path exactly as many comma-separated entries as there are --output flags.',
  check: ({ run, label }) =>
    commands(run).flatMap((line) => {
      const checkov = checkovOutputs(line);
      return checkov?.paths !== undefined && checkov.paths.length !== checkov.outputs.length
        ? [
            {
              message: `${label}: ${checkov.outputs.length} --output but ${checkov.paths.length} --output-file-path entries`,
            },
          ]
        : [];
    }),
});
