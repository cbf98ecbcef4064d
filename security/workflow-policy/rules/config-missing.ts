/** The `config-missing` invariant (step safety); its helpers are in ../helpers/step-safety.ts. */
/* eslint-disable security/detect-non-literal-fs-filename -- checks that a path a workflow names exists
   inside the repository under check. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { CONFIG_INPUTS } from '../helpers/step-safety.ts';

export const CONFIG_MISSING: WorkflowRule = defineRule('config-missing', 'step', {
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
});
