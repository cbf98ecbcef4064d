/** The `gate-reports` invariant (gate rules); its helpers are in ../helpers/gate-rules.ts. */
import { GATES_WORKFLOW, REPORT_ARTIFACT_PREFIX } from '../../gates/catalog.ts';
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, actionName, list, record, text } from '../rule.ts';
import { expression } from '../helpers/gate-rules.ts';

export const GATE_REPORTS: WorkflowRule = defineRule('gate-reports', 'workflow', {
  description: `Every gate of security/gates/catalog.ts with an attested report uploads it from its job of ${GATES_WORKFLOW} as the artifact \`${REPORT_ARTIFACT_PREFIX}<job>\`, even when the job failed.`,
  help: `The gate-results attestation records each gate's report by its sha256; upload it with actions/upload-artifact, name ${REPORT_ARTIFACT_PREFIX}<job>, if: \${{ !cancelled() }}.`,
  check: ({ file, workflow, gateJobs }) => {
    if (file.path !== GATES_WORKFLOW) return [];
    const jobs = record(workflow.jobs);
    return gateJobs
      .filter((entry) => entry.attested !== undefined && jobs[entry.job] !== undefined)
      .flatMap((entry): Report[] => {
        const artifact = `${REPORT_ARTIFACT_PREFIX}${entry.job}`;
        const uploads = list(record(jobs[entry.job]).steps)
          .map(record)
          .filter(
            (step) =>
              actionName(text(step.uses)) === 'actions/upload-artifact' &&
              text(record(step.with).name) === artifact,
          );
        if (uploads.length !== 1) {
          return [
            {
              message: `job ${entry.job} uploads ${artifact} ${uploads.length} times, not once`,
              at: ['jobs', entry.job],
            },
          ];
        }
        return text(uploads[0]?.if) === expression('!cancelled()')
          ? []
          : [
              {
                message: `job ${entry.job} must upload ${artifact} if: \${{ !cancelled() }}`,
                at: ['jobs', entry.job],
              },
            ];
      });
  },
});
