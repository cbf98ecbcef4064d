/** The `publish-not-on-pull-request` invariant (publish); its helpers are in ../helpers/publish.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text, triggersOf } from '../rule.ts';
import { publishes } from '../helpers/publish.ts';

export const PUBLISH_NOT_ON_PULL_REQUEST: WorkflowRule = defineRule('publish-not-on-pull-request', 'job', {
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
});
