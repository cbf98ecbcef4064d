/**
 * Image flow: the image is built once, in the build job, and every job that scans or runs it uses the
 * artifact that job uploaded, so the image published is the image that was scanned.
 */
import type { StepScope } from '../rule.ts';
import { text } from '../rule.ts';

/** Jobs that may build an image; every other job must use the artifact the build job uploaded. */
export const IMAGE_BUILD_JOBS: readonly string[] = ['build'];

export const IMAGE_BUILD_COMMAND =
  /\b(?:docker|podman)\s+(?:image\s+build|buildx\s+(?:build|bake)|build)\b|\bbuildah\s+bud\b/;
export const IMAGE_BUILD_ACTIONS = ['docker/build-push-action', 'docker/bake-action'];

export function scansOrRunsImage({ action, inputs, run }: StepScope): boolean {
  return (
    (action === 'aquasecurity/trivy-action' && text(inputs['scan-type'] ?? 'image') === 'image') ||
    action.startsWith('zaproxy/') ||
    /\bdocker\s+load\b/.test(run) ||
    /\bdocker\s+image\s+load\b/.test(run)
  );
}
