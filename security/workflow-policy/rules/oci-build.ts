/** The `oci-build` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { BUILD_WORKFLOW, isBuildStep } from '../helpers/publish-contracts.ts';

export const OCI_BUILD: WorkflowRule = defineRule('oci-build', 'step', {
  description: `The build step of ${BUILD_WORKFLOW} writes one manifest into an OCI archive (type=oci, one platform, no provenance or SBOM manifests, no push), so its \`digest\` output is that manifest's digest.`,
  help: 'outputs: type=oci,dest=…; one platform; provenance and sbom false; push false.',
  check: (scope) => {
    if (!isBuildStep(scope)) return [];
    const { inputs } = scope;
    const oneManifest =
      /^type=oci,dest=/.test(text(inputs.outputs)) &&
      text(inputs.provenance) === 'false' &&
      text(inputs.sbom) === 'false' &&
      text(inputs.platforms) !== '' &&
      !text(inputs.platforms).includes(',') &&
      text(inputs.push) === 'false';
    return oneManifest
      ? []
      : [
          {
            message:
              'build one manifest into an OCI archive: outputs type=oci,dest=…, one platform, provenance and sbom false, push false',
          },
        ];
  },
});
