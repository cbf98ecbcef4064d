/**
 * Pins: every action pinned to a full commit SHA names its release in a comment so a reader and
 * Dependabot can tell what it is, and is the very commit someone reviewed (security/actions-inputs.json).
 * That every action is pinned by SHA at all is zizmor's unpinned-uses (the zizmor gate).
 */
import { isScalar } from 'yaml';
import type { JobScope, NodePath } from '../rule.ts';
import { text } from '../rule.ts';

export const ACTIONS_TABLE = 'security/actions-inputs.json';
export const ACTION_NAME = /^[\w.-]+\/[\w./-]+$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

export interface UsesSite {
  uses: string;
  /** The trailing comment on the `uses:` line, without `#`. */
  comment: string;
  at: NodePath;
}

/** Every `uses:` of a job: the job's own (a reusable workflow) and each step's. */
export function usesSites(scope: JobScope): UsesSite[] {
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
export function pinnedAction(uses: string): { name: string; sha: string } | undefined {
  const [name = '', ref = ''] = uses.split('@');
  return ACTION_NAME.test(name) && COMMIT_SHA.test(ref) ? { name, sha: ref } : undefined;
}

export const remote = (site: UsesSite) => !site.uses.startsWith('./');
export const releaseTag = (comment: string) => /^#?\s*(v\d[\w.+-]*)/.exec(comment)?.[1];
