/** The `trivy-sarif-shape` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { report, ofAction } from '../helpers/tool-contracts.ts';

export const TRIVY_SARIF_SHAPE: WorkflowRule = defineRule('trivy-sarif-shape', 'step', {
  description:
    'A Trivy step that writes a .sarif file asks for format sarif, and never gates on its exit code: with format sarif, trivy-action drops the severity filter (entrypoint.sh), so exit-code 1 would fail on any finding.',
  help: 'Run Trivy twice: once as the gate (table, exit-code 1, severity), once to SARIF (exit-code 0).',
  check: ofAction('aquasecurity/trivy-action', ({ inputs, label }) => {
    const output = text(inputs.output);
    const sarif = text(inputs.format) === 'sarif';
    const limited = text(inputs['limit-severities-for-sarif']) === 'true';
    return [
      ...report(
        output.endsWith('.sarif') && !sarif,
        `${label} writes ${output} in format ${text(inputs.format) || 'table'}`,
      ),
      ...report(
        sarif && !limited && text(inputs['exit-code'] ?? '0') !== '0',
        `${label}: a SARIF run ignores severity, so exit-code must be 0`,
      ),
    ];
  }),
});
