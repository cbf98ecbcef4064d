/** The `scan-by-digest` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { text } from '../rule.ts';

export const SCAN_BY_DIGEST: readonly WorkflowRule[] = [
  {
    id: 'scan-by-digest',
    level: 'step',
    description:
      'Trivy reads the image from the unpacked archive (`input:`), not from a daemon by name (`image-ref:`), so it scans the digest named after "@".',
    help: 'input: <dir>@<digest>, from deploy/oci-image.sh unpack.',
    check: ({ action, inputs }) =>
      action === 'aquasecurity/trivy-action' &&
      text(inputs['scan-type'] || 'image') === 'image' &&
      (text(inputs['image-ref']) !== '' || text(inputs.input) === '')
        ? [
            {
              message:
                'Trivy must read the unpacked archive by digest (input: <dir>@<digest>), not an image by name',
            },
          ]
        : [],
  },
];
