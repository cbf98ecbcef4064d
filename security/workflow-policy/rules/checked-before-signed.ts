/** The `checked-before-signed` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { ranBefore } from '../helpers/publish-contracts.ts';

export const CHECKED_BEFORE_SIGNED: WorkflowRule = defineRule('checked-before-signed', 'step', {
  description:
    'In a job that signs, the push-and-compare (`deploy/oci-image.sh push`) comes before `cosign sign`, and the SBOM check (`deploy/oci-image.sh sbom`) before `cosign attest`.',
  help: 'Sign only a digest the registry was shown to serve, and attest only an SBOM shown to describe it.',
  check: (scope) => [
    ...(/\bcosign\s+sign\b/.test(scope.run) && !ranBefore(scope, /\bdeploy\/oci-image\.sh\s+push\b/)
      ? [
          {
            message:
              'cosign sign before deploy/oci-image.sh push has compared the registry digest with the build digest',
          },
        ]
      : []),
    ...(/\bcosign\s+attest\b/.test(scope.run) && !ranBefore(scope, /\bdeploy\/oci-image\.sh\s+sbom\b/)
      ? [
          {
            message:
              'cosign attest before deploy/oci-image.sh sbom has checked that the SBOM describes the image',
          },
        ]
      : []),
  ],
});
