/**
 * Step safety: only inputs an action really has, and every policy file a step names present. Untrusted
 * text pasted into a shell and a token left on disk are zizmor's template-injection and artipacked.
 */

/** `with:` keys whose value names a file in the repository, by action. */
export const CONFIG_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'github/codeql-action/init': ['config-file'],
  'aquasecurity/trivy-action': ['trivy-config', 'trivyignores'],
  'bridgecrewio/checkov-action': ['config_file'],
  'zaproxy/action-baseline': ['rules_file_name'],
  'zaproxy/action-full-scan': ['rules_file_name'],
  'actions/dependency-review-action': ['config-file'],
};
