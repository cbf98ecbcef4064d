/** The `scan-by-digest` invariant (publish contracts). */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';

export const SCAN_BY_DIGEST: WorkflowRule = defineRule('scan-by-digest', 'step', {
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
});
