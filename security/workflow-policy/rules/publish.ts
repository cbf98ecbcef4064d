/** Publish: nothing is pushed before every gate passed, and a pull request never publishes. */
import type { Json, WorkflowRule } from '../rule.ts';
import { list, permissionsOf, record, text, triggersOf } from '../rule.ts';

/** Jobs that `jobId` needs, directly or through other jobs. */
function ancestors(jobs: Json, jobId: string, seen = new Set<string>()): Set<string> {
  const needs = record(jobs[jobId]).needs;
  for (const need of typeof needs === 'string' ? [needs] : list(needs).map(text)) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(jobs, need, seen);
    }
  }
  return seen;
}

/** A job publishes when it is called publish or may write packages. */
function publishes(jobId: string, job: Json): boolean {
  const permissions = permissionsOf(job);
  return jobId === 'publish' || (permissions instanceof Map && permissions.get('packages') === 'write');
}

export const PUBLISH_RULES: readonly WorkflowRule[] = [
  {
    id: 'publish-needs-gates',
    level: 'job',
    description: 'The publishing job needs every other job that is not downstream of it.',
    help: 'A gate the publish job does not wait for can fail after the image is already pushed.',
    check: ({ workflow, jobId, job, path }) => {
      if (!publishes(jobId, job)) return [];
      const jobs = record(workflow.jobs);
      const upstream = ancestors(jobs, jobId);
      return Object.keys(jobs)
        .filter((other) => other !== jobId && !ancestors(jobs, other).has(jobId) && !upstream.has(other))
        .map((other) => ({ message: `does not need gate job "${other}"`, at: [...path, 'needs'] }));
    },
  },
  {
    id: 'publish-not-on-pull-request',
    level: 'job',
    description: "In a workflow that runs on pull requests, the publishing job's `if:` excludes them.",
    help: "A pull request's code is not reviewed yet; only pushes to main and version tags publish.",
    check: ({ workflow, jobId, job }) => {
      if (!publishes(jobId, job) || !triggersOf(workflow).includes('pull_request')) return [];
      const condition = text(job.if);
      const excludesPullRequests =
        /github\.event_name\s*==\s*'(push|release|workflow_dispatch|schedule)'/.test(condition) ||
        /github\.event_name\s*!=\s*'pull_request'/.test(condition);
      return excludesPullRequests
        ? []
        : [{ message: "the workflow runs on pull_request but the job's if: does not exclude it" }];
    },
  },
];
