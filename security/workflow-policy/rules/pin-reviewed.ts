/** The `pin-reviewed` invariant (pins); its helpers are in ../helpers/pins.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { ACTIONS_TABLE, usesSites, pinnedAction, releaseTag } from '../helpers/pins.ts';

export const PIN_REVIEWED: WorkflowRule = defineRule('pin-reviewed', 'job', {
  description: `Every pinned commit and release comment match the reviewed ones in ${ACTIONS_TABLE}.`,
  help: `A Dependabot bump changes the SHA: read the new release, then record its commit and inputs in ${ACTIONS_TABLE}.`,
  check: (scope) =>
    usesSites(scope).flatMap((site) => {
      const pinned = pinnedAction(site.uses);
      const reviewed = pinned ? scope.actions[pinned.name] : undefined;
      if (!pinned || !reviewed) return [];
      const tag = releaseTag(site.comment);
      if (reviewed.sha === pinned.sha && (tag === undefined || reviewed.tag === tag)) return [];
      return [
        {
          message: `${pinned.name}@${pinned.sha} ${tag ?? ''} is not the reviewed ${reviewed.tag} (${reviewed.sha}); update ${ACTIONS_TABLE} with the new release's commit and inputs`,
          at: site.at,
        },
      ];
    }),
});
