/** The `image-by-digest` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { containerImages, stepImages } from '../helpers/tool-contracts.ts';

export const IMAGE_BY_DIGEST: readonly WorkflowRule[] = [
  defineRule('image-by-digest', 'job', {
    description:
      'Every container image a workflow pulls is named by sha256 digest: a docker_name, a docker:// action, a job container or service, a `docker run` image, and the image inside a docker action (bridgecrewio/checkov-action names its image by tag, so it is not used).',
    help: 'Name the image as <name>@sha256:<digest>, or read it from security/gates/images.json.',
    check: containerImages,
  }),
  defineRule('image-by-digest', 'step', {
    description:
      'Every image a step pulls is named by sha256 digest: a docker_name, a docker:// action, a `docker run` image, and the image inside a docker action.',
    help: 'Name the image as <name>@sha256:<digest>, or read it from security/gates/images.json.',
    check: stepImages,
  }),
];
