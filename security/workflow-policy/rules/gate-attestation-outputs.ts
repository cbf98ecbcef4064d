/** The `gate-attestation-outputs` invariant (gate rules); its helpers are in ../helpers/gate-rules.ts. */
import { GATES_WORKFLOW } from '../../gates/catalog.ts';
import type { WorkflowRule } from '../rule.ts';
import { defineRule, list, record, text } from '../rule.ts';
import { ATTESTATION_COMMAND, gateOutputsFed } from '../helpers/gate-rules.ts';

export const GATE_ATTESTATION_OUTPUTS: WorkflowRule = defineRule('gate-attestation-outputs', 'workflow', {
  description: `A workflow that calls ${GATES_WORKFLOW} builds the gate-results attestation from all of its outputs.`,
  help: `Run \`node ${ATTESTATION_COMMAND}\` in a job that needs the gates job, with GATE_OUTPUTS set to toJSON of its outputs: every gate of the list is then recorded.`,
  check: ({ workflow }) => {
    const runsAttestation = Object.values(record(workflow.jobs)).some((job) =>
      list(record(job).steps).some((step) => text(record(step).run).includes(ATTESTATION_COMMAND)),
    );
    return runsAttestation ? gateOutputsFed(workflow, ATTESTATION_COMMAND) : [];
  },
});
