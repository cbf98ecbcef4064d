/** The `publish-needs-gates` invariant (publish); its helpers are in ../helpers/publish.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, record } from '../rule.ts';
import { ancestors, publishes } from '../helpers/publish.ts';

export const PUBLISH_NEEDS_GATES: WorkflowRule = defineRule('publish-needs-gates', 'job', {
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
});
