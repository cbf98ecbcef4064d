/** The `build-once` invariant (image flow); its helpers are in ../helpers/image-flow.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { IMAGE_BUILD_JOBS, IMAGE_BUILD_COMMAND, IMAGE_BUILD_ACTIONS } from '../helpers/image-flow.ts';

export const BUILD_ONCE: WorkflowRule = defineRule('build-once', 'step', {
  description: `Images are built only in the ${IMAGE_BUILD_JOBS.join(', ')} job.`,
  help: 'A second build can differ from the first (a moved base tag, a new dependency): scan and publish the one artifact the build job made.',
  check: ({ action, run, jobId, stepPath }) =>
    (IMAGE_BUILD_ACTIONS.includes(action) || IMAGE_BUILD_COMMAND.test(run)) &&
    !IMAGE_BUILD_JOBS.includes(jobId)
      ? [
          {
            message: `images are built only in ${IMAGE_BUILD_JOBS.join(', ')}; use the image artifact instead`,
            at: stepPath,
          },
        ]
      : [],
});
