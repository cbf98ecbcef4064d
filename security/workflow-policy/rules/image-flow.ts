/**
 * Image flow: the image is built once, in the build job, and every job that scans or runs it uses the
 * artifact that job uploaded, so the image published is the image that was scanned.
 */
import type { StepScope, WorkflowRule } from '../rule.ts';
import { text } from '../rule.ts';

/** Jobs that may build an image; every other job must use the artifact the build job uploaded. */
export const IMAGE_BUILD_JOBS: readonly string[] = ['build'];

const IMAGE_BUILD_COMMAND =
  /\b(?:docker|podman)\s+(?:image\s+build|buildx\s+(?:build|bake)|build)\b|\bbuildah\s+bud\b/;
const IMAGE_BUILD_ACTIONS = ['docker/build-push-action', 'docker/bake-action'];

function scansOrRunsImage({ action, inputs, run }: StepScope): boolean {
  return (
    (action === 'aquasecurity/trivy-action' && text(inputs['scan-type'] ?? 'image') === 'image') ||
    action.startsWith('zaproxy/') ||
    /\bdocker\s+load\b/.test(run) ||
    /\bdocker\s+image\s+load\b/.test(run)
  );
}

export const IMAGE_FLOW_RULES: readonly WorkflowRule[] = [
  {
    id: 'build-once',
    level: 'step',
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
  },
  {
    id: 'scan-uses-artifact',
    level: 'step',
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
  },
];
