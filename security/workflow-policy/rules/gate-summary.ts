/** The `gate-summary` invariant (gate rules); its helpers are in ../helpers/gate-rules.ts. */
import { GATES_WORKFLOW } from '../../gates/catalog.ts';
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { SUMMARY_COMMAND, gateOutputsFed } from '../helpers/gate-rules.ts';

export const GATE_SUMMARY: WorkflowRule = defineRule('gate-summary', 'workflow', {
  description: `A workflow that calls ${GATES_WORKFLOW} prints the run summary from the gate list.`,
  help: `Run \`node ${SUMMARY_COMMAND}\` in a job that needs the gates job, with GATE_OUTPUTS set to toJSON of its outputs.`,
  check: ({ workflow }) => gateOutputsFed(workflow, SUMMARY_COMMAND),
});
