/** The `no-install-scripts-with-write` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { NPM_INSTALL, holdsWrite } from '../helpers/publish-contracts.ts';

export const NO_INSTALL_SCRIPTS_WITH_WRITE: WorkflowRule = defineRule(
  'no-install-scripts-with-write',
  'step',
  {
    description: 'A job holding any write permission runs no dependency install script.',
    help: '`npm ci` / `npm install` with --ignore-scripts where the token can write (package.json allowScripts lists what is skipped).',
    check: ({ job, run }) =>
      holdsWrite(job)
        ? (run.match(NPM_INSTALL) ?? [])
            .filter((command) => !command.includes('--ignore-scripts'))
            .map((command) => ({
              message: `the job holds a write permission: "${command.trim()}" must pass --ignore-scripts`,
            }))
        : [],
  },
);
