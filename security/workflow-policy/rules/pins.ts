/**
 * Pins: every action pinned to a full commit SHA names its release in a comment so a reader and
 * Dependabot can tell what it is, and is the very commit someone reviewed (security/actions-inputs.json).
 * That every action is pinned by SHA at all is zizmor's unpinned-uses (the zizmor gate).
 */
import { isScalar } from 'yaml';
import type { JobScope, NodePath, WorkflowRule } from '../rule.ts';
import { text } from '../rule.ts';

export const ACTIONS_TABLE = 'security/actions-inputs.json';
const ACTION_NAME = /^[\w.-]+\/[\w./-]+$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;

interface UsesSite {
  uses: string;
  /** The trailing comment on the `uses:` line, without `#`. */
  comment: string;
  at: NodePath;
}

/** Every `uses:` of a job: the job's own (a reusable workflow) and each step's. */
function usesSites(scope: JobScope): UsesSite[] {
  const paths: NodePath[] = [
    [...scope.path, 'uses'],
    ...scope.steps.map((_, index) => [...scope.path, 'steps', index, 'uses']),
  ];
  return paths.flatMap((at) => {
    const node = scope.document.getIn(at, true);
    if (!isScalar(node)) return [];
    return [{ uses: text(node.value), comment: (node.comment ?? '').trim(), at }];
  });
}

/** A remote action's `name@ref`, when it is a well-formed name pinned to a full SHA. */
function pinnedAction(uses: string): { name: string; sha: string } | undefined {
  const [name = '', ref = ''] = uses.split('@');
  return ACTION_NAME.test(name) && COMMIT_SHA.test(ref) ? { name, sha: ref } : undefined;
}

const remote = (site: UsesSite) => !site.uses.startsWith('./');
const releaseTag = (comment: string) => /^#?\s*(v\d[\w.+-]*)/.exec(comment)?.[1];

export const PIN_RULES: readonly WorkflowRule[] = [
  {
    id: 'pin-comment',
    level: 'job',
    description: 'Every pinned action names its release in a `# vX.Y.Z` comment.',
    help: 'The comment tells a reviewer which release the SHA is, and lets Dependabot update SHA and comment together.',
    check: (scope) =>
      usesSites(scope)
        .filter((site) => remote(site) && pinnedAction(site.uses) && !releaseTag(site.comment))
        .map((site) => ({ message: `${site.uses} has no "# vX.Y.Z" comment`, at: site.at })),
  },
  {
    id: 'action-unreviewed',
    level: 'job',
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
  },
  {
    id: 'pin-reviewed',
    level: 'job',
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
  },
];
