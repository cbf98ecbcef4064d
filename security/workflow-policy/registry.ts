/**
 * Every workflow rule, in the order findings are reported, by group. One invariant is one file under rules/
 * named by its id (its helpers under helpers/), one fixture under the same name,
 * test/pipeline/fixtures/workflow-policy/<id>.yml (its lines marked `# expect: <id>`), and one section of
 * docs/workflow-rules.md (`npm run generate`). Adding a rule: write rules/<id>.ts and its fixture, import
 * it here and list it in its group.
 */
import type { WorkflowRule } from './rule.ts';
import { ACTION_INPUT } from './rules/action-input.ts';
import { ACTION_UNREVIEWED } from './rules/action-unreviewed.ts';
import { BUILD_ONCE } from './rules/build-once.ts';
import { CHECKED_BEFORE_SIGNED } from './rules/checked-before-signed.ts';
import { CHECKOUT_FIRST } from './rules/checkout-first.ts';
import { CHECKOV_OUTPUT_PATHS } from './rules/checkov-output-paths.ts';
import { CODEQL_GATE_THRESHOLD } from './rules/codeql-gate-threshold.ts';
import { CONFIG_MISSING } from './rules/config-missing.ts';
import { CONTINUE_ON_ERROR } from './rules/continue-on-error.ts';
import { DEPENDENCY_REVIEW_ON_PULL_REQUEST } from './rules/dependency-review-on-pull-request.ts';
import { DIGEST_KEPT } from './rules/digest-kept.ts';
import { DIGEST_SUMMARY } from './rules/digest-summary.ts';
import { DISPATCH_INPUTS } from './rules/dispatch-inputs.ts';
import { EGRESS_BLOCK } from './rules/egress-block.ts';
import { GATE_ATTESTATION_OUTPUTS } from './rules/gate-attestation-outputs.ts';
import { GATE_JOB_RULES } from './rules/gate-jobs.ts';
import { GATE_REPORTS } from './rules/gate-reports.ts';
import { GATE_SUMMARY } from './rules/gate-summary.ts';
import { HARDEN_RUNNER_FIRST } from './rules/harden-runner-first.ts';
import { IMAGE_BY_DIGEST } from './rules/image-by-digest.ts';
import { NO_INSTALL_SCRIPTS_WITH_WRITE } from './rules/no-install-scripts-with-write.ts';
import { NO_RELEASE_CACHE } from './rules/no-release-cache.ts';
import { NPM_AUDIT_SIGNATURES_INSTALLED } from './rules/npm-audit-signatures-installed.ts';
import { OCI_BUILD } from './rules/oci-build.ts';
import { OUTPUT_FOLDER_MADE } from './rules/output-folder-made.ts';
import { PERMISSIONS_REUSABLE } from './rules/permissions-reusable.ts';
import { PERMISSIONS_TOP_LEVEL } from './rules/permissions-top-level.ts';
import { PERMISSIONS_WRITE } from './rules/permissions-write.ts';
import { PIN_COMMENT } from './rules/pin-comment.ts';
import { PIN_REVIEWED } from './rules/pin-reviewed.ts';
import { PUBLISH_NEEDS_GATES } from './rules/publish-needs-gates.ts';
import { PUBLISH_NOT_ON_PULL_REQUEST } from './rules/publish-not-on-pull-request.ts';
import { SARIF_FORK_GUARD } from './rules/sarif-fork-guard.ts';
import { SARIF_FROM_SCANNER } from './rules/sarif-from-scanner.ts';
import { SARIF_PERMISSION } from './rules/sarif-permission.ts';
import { SBOM_READ_ONLY } from './rules/sbom-read-only.ts';
import { SCAN_BY_DIGEST } from './rules/scan-by-digest.ts';
import { SCAN_USES_ARTIFACT } from './rules/scan-uses-artifact.ts';
import { SETUP_NODE_LOCKFILE } from './rules/setup-node-lockfile.ts';
import { TIMEOUT } from './rules/timeout.ts';
import { TOOL_HASH } from './rules/tool-hash.ts';
import { TOOL_VERSION } from './rules/tool-version.ts';
import { TRIVY_SARIF_SHAPE } from './rules/trivy-sarif-shape.ts';
import { VERIFY_IDENTITY } from './rules/verify-identity.ts';
import { ZAP_RULES_PASSED } from './rules/zap-rules-passed.ts';

const GROUPS: Readonly<Record<string, readonly (WorkflowRule | readonly WorkflowRule[])[]>> = {
  pins: [PIN_COMMENT, ACTION_UNREVIEWED, PIN_REVIEWED],
  triggers: [DISPATCH_INPUTS],
  permissions: [PERMISSIONS_TOP_LEVEL, PERMISSIONS_REUSABLE, PERMISSIONS_WRITE],
  'job hygiene': [CONTINUE_ON_ERROR, TIMEOUT, HARDEN_RUNNER_FIRST],
  egress: [EGRESS_BLOCK],
  'step safety': [ACTION_INPUT, CONFIG_MISSING],
  'image flow': [BUILD_ONCE, SCAN_USES_ARTIFACT],
  'SARIF uploads': [SARIF_PERMISSION, SARIF_FORK_GUARD],
  publish: [PUBLISH_NEEDS_GATES, PUBLISH_NOT_ON_PULL_REQUEST],
  gates: [GATE_JOB_RULES, GATE_SUMMARY, GATE_REPORTS, GATE_ATTESTATION_OUTPUTS],
  'tool contracts': [
    OUTPUT_FOLDER_MADE,
    TRIVY_SARIF_SHAPE,
    SARIF_FROM_SCANNER,
    CODEQL_GATE_THRESHOLD,
    ZAP_RULES_PASSED,
    IMAGE_BY_DIGEST,
    CHECKOV_OUTPUT_PATHS,
    CHECKOUT_FIRST,
    SETUP_NODE_LOCKFILE,
    NPM_AUDIT_SIGNATURES_INSTALLED,
    DEPENDENCY_REVIEW_ON_PULL_REQUEST,
  ],
  'tool pins': [TOOL_VERSION, TOOL_HASH],
  'publish contracts': [
    OCI_BUILD,
    NO_RELEASE_CACHE,
    DIGEST_KEPT,
    SCAN_BY_DIGEST,
    NO_INSTALL_SCRIPTS_WITH_WRITE,
    SBOM_READ_ONLY,
    CHECKED_BEFORE_SIGNED,
    VERIFY_IDENTITY,
    DIGEST_SUMMARY,
  ],
};

export const WORKFLOW_RULE_GROUPS: Readonly<Record<string, readonly WorkflowRule[]>> = Object.fromEntries(
  Object.entries(GROUPS).map(([group, rules]) => [group, rules.flat()]),
);

export const REGISTERED_RULES: readonly WorkflowRule[] = Object.values(WORKFLOW_RULE_GROUPS).flat();
