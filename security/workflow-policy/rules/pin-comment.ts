/** The `pin-comment` invariant (pins); its helpers are in ../helpers/pins.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { usesSites, pinnedAction, remote, releaseTag } from '../helpers/pins.ts';

export const PIN_COMMENT: WorkflowRule = defineRule('pin-comment', 'job', {
  description: 'Every pinned action names its release in a `# vX.Y.Z` comment.',
  help: 'The comment tells a reviewer which release the SHA is, and lets Dependabot update SHA and comment together.',
  check: (scope) =>
    usesSites(scope)
      .filter((site) => remote(site) && pinnedAction(site.uses) && !releaseTag(site.comment))
      .map((site) => ({ message: `${site.uses} has no "# vX.Y.Z" comment`, at: site.at })),
});
