/** The `action-unreviewed` invariant (pins); its helpers are in ../helpers/pins.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { ACTIONS_TABLE, usesSites, pinnedAction } from '../helpers/pins.ts';

export const ACTION_UNREVIEWED: WorkflowRule = defineRule('action-unreviewed', 'job', {
  description: `Every action used is recorded in ${ACTIONS_TABLE} with the commit and inputs someone reviewed.`,
  help: `Read the action's source at the commit you pin, then add its tag, SHA and input names to ${ACTIONS_TABLE}.`,
  check: (scope) =>
    usesSites(scope).flatMap((site) => {
      const pinned = pinnedAction(site.uses);
      return pinned && !scope.actions[pinned.name]
        ? [
            {
              message: `${pinned.name} is not in ${ACTIONS_TABLE}; review it and add its commit and inputs`,
              at: site.at,
            },
          ]
        : [];
    }),
});
