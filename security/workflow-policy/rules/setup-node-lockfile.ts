/** The `setup-node-lockfile` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   named in its workflows; no request or user input reaches these calls. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { report } from '../helpers/tool-contracts.ts';

export const SETUP_NODE_LOCKFILE: WorkflowRule = defineRule('setup-node-lockfile', 'step', {
  description:
    "actions/setup-node with `cache: npm` needs package-lock.json at the root: its cache-restore.ts throws 'Dependencies lock file is not found'.",
  help: 'Commit package-lock.json, or drop `cache: npm`.',
  check: ({ action, inputs, label, root }) =>
    report(
      action === 'actions/setup-node' &&
        text(inputs.cache) === 'npm' &&
        !existsSync(join(root, 'package-lock.json')),
      `${label}: cache npm without package-lock.json`,
    ),
});
