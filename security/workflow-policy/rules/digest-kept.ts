/** The `digest-kept` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { DOCKER_REPUBLISH, skopeoCopiesWithoutPreserve } from '../helpers/publish-contracts.ts';

export const DIGEST_KEPT: WorkflowRule = defineRule('digest-kept', 'step', {
  description:
    'Nothing re-creates the manifest on its way to the registry: no `docker load`, `tag` or `push` of the image, and every `skopeo copy` to a registry says --preserve-digests.',
  help: 'Push with deploy/oci-image.sh push, which copies the archive with skopeo --preserve-digests and compares the digests.',
  check: ({ run }) => [
    ...(DOCKER_REPUBLISH.test(run)
      ? [
          {
            message:
              'docker load/tag/push re-creates the manifest, so the registry digest is not the scanned one; use deploy/oci-image.sh',
          },
        ]
      : []),
    ...(skopeoCopiesWithoutPreserve(run)
      ? [{ message: 'skopeo copy to a registry must say --preserve-digests' }]
      : []),
  ],
});
