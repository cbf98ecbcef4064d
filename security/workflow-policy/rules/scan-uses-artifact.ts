/** The `scan-uses-artifact` invariant (image flow); its helpers are in ../helpers/image-flow.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { IMAGE_BUILD_JOBS, scansOrRunsImage } from '../helpers/image-flow.ts';

export const SCAN_USES_ARTIFACT: WorkflowRule = defineRule('scan-uses-artifact', 'step', {
  description: 'A step that scans or runs the image comes after the job downloaded the build artifact.',
  help: 'Otherwise it scans whatever image the runner happens to have (or pulls one), not the candidate.',
  check: (scope) => {
    if (!scansOrRunsImage(scope) || IMAGE_BUILD_JOBS.includes(scope.jobId)) return [];
    const downloaded = scope.steps
      .slice(0, scope.index)
      .some((earlier) => text(earlier.uses).split('@')[0] === 'actions/download-artifact');
    return downloaded
      ? []
      : [
          {
            message: 'scans or runs an image without first downloading the built image artifact',
            at: scope.stepPath,
          },
        ];
  },
});
