/** The `verify-identity` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { SIGNER_IDENTITY } from '../helpers/publish-contracts.ts';

export const VERIFY_IDENTITY: WorkflowRule = defineRule('verify-identity', 'step', {
  description:
    "`cosign verify` pins this repository's pipeline on main or a v* tag, as deploy/lib.sh signer_identity_pattern does.",
  help: 'identity="^https://github\\.com/${GITHUB_REPOSITORY//./\\.}/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)$" and --certificate-identity-regexp.',
  check: ({ run }) =>
    /\bcosign\s+verify\b/.test(run) &&
    !(
      run.includes(`identity="${SIGNER_IDENTITY}"`) &&
      run.includes("--certificate-identity-regexp '${identity}'")
    )
      ? [
          {
            message:
              "cosign verify must pin this repository's pipeline.yml on main or a v* tag (deploy/lib.sh)",
          },
        ]
      : [],
});
