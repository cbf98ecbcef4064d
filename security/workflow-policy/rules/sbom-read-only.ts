/** The `sbom-read-only` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { SBOM_FORMATS, holdsWrite } from '../helpers/publish-contracts.ts';

export const SBOM_READ_ONLY: WorkflowRule = defineRule('sbom-read-only', 'step', {
  description:
    "No anchore/sbom-action (v0.24.0 runs syft's install.sh from its main branch), and the SBOM is made in a job that holds no write permission.",
  help: 'Make the SBOM with the pinned Trivy in a read-only job, and hand it to publish as an artifact.',
  check: ({ action, inputs, job }): Report[] => {
    if (action === 'anchore/sbom-action') {
      return [
        {
          message:
            "anchore/sbom-action runs syft's install.sh from its main branch; make the SBOM with the pinned Trivy",
        },
      ];
    }
    const makesSbom = action === 'aquasecurity/trivy-action' && SBOM_FORMATS.includes(text(inputs.format));
    return makesSbom && holdsWrite(job)
      ? [{ message: 'the SBOM must be made in a job that holds no write permission' }]
      : [];
  },
});
