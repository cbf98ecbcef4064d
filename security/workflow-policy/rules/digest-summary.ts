/** The `digest-summary` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, record } from '../rule.ts';
import { PUBLISH_WORKFLOW, DIGEST_SOURCES } from '../helpers/publish-contracts.ts';

export const DIGEST_SUMMARY: WorkflowRule = defineRule('digest-summary', 'workflow', {
  description: `The run summary of ${PUBLISH_WORKFLOW} shows the digest built, scanned by Trivy, run under ZAP and pushed.`,
  help: 'Pass the gates outputs (GATE_OUTPUTS) and the publish digest to the summary job.',
  check: ({ file, workflow }) => {
    if (file.path !== PUBLISH_WORKFLOW) return [];
    const shown = JSON.stringify(record(record(workflow.jobs).summary).steps ?? []);
    // The summary script (security/gates/write-summary.ts) gets every gate output at once.
    const allGateOutputs = shown.includes('toJSON(needs.gates.outputs)');
    return DIGEST_SOURCES.filter(
      (source) => !shown.includes(source) && !(allGateOutputs && source.startsWith('needs.gates.outputs.')),
    ).map((source) => ({
      message: `the run summary does not show ${source}`,
      at: ['jobs', 'summary'],
    }));
  },
});
