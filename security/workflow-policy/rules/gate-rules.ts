/**
 * Gates: the reusable gates workflow has exactly the jobs of the one list of gates
 * (security/gates/catalog.ts), each with its name, its result and findings outputs and the report the
 * gate-results attestation records; the workflow that calls it prints the summary and builds the
 * attestation from all of its outputs. Adding a gate is one entry and its job.
 */
import { GATE_JOBS, GATES_WORKFLOW, REPORT_ARTIFACT_PREFIX } from '../../gates/catalog.ts';
import type { Json, Report, WorkflowRule } from '../rule.ts';
import { actionName, list, record, text } from '../rule.ts';

const SUMMARY_COMMAND = 'security/gates/write-summary.ts';
const ATTESTATION_COMMAND = 'security/gate-attestation.ts';
const expression = (body: string) => `\${{ ${body} }}`;

/**
 * For each job that calls the gates workflow: a report when no job that needs it runs `command` with
 * GATE_OUTPUTS set to all of its outputs (so a gate added to the list reaches that command unedited).
 */
function gateOutputsFed(workflow: Json, command: string): Report[] {
  const jobs = record(workflow.jobs);
  const callers = Object.keys(jobs).filter(
    (jobId) => text(record(jobs[jobId]).uses) === `./${GATES_WORKFLOW}`,
  );
  return callers.flatMap((caller): Report[] => {
    const fed = Object.values(jobs).some((rawJob) => {
      const job = record(rawJob);
      const needs = typeof job.needs === 'string' ? [job.needs] : list(job.needs).map(text);
      return (
        needs.includes(caller) &&
        list(job.steps).some((rawStep) => {
          const step = record(rawStep);
          return (
            text(step.run).includes(command) &&
            text(record(step.env).GATE_OUTPUTS) === expression(`toJSON(needs.${caller}.outputs)`)
          );
        })
      );
    });
    return fed
      ? []
      : [
          {
            message: `no job that needs ${caller} runs ${command} with GATE_OUTPUTS from its outputs`,
            at: ['jobs', caller],
          },
        ];
  });
}

export const GATE_RULES: readonly WorkflowRule[] = [
  {
    id: 'gate-jobs',
    level: 'workflow',
    description: `${GATES_WORKFLOW} has one job per entry of security/gates/catalog.ts, named as listed, with its result and findings outputs.`,
    help: 'The status checks, the run summary and `npm run gates --list` all come from the list: add the entry first, then its job and outputs.',
    check: ({ file, workflow }) => {
      if (file.path !== GATES_WORKFLOW) return [];
      const jobs = record(workflow.jobs);
      const outputs = record(record(record(workflow.on).workflow_call).outputs);
      const reports: Report[] = [];
      for (const entry of GATE_JOBS) {
        const job = record(jobs[entry.job]);
        if (jobs[entry.job] === undefined) {
          reports.push({ message: `gate "${entry.job}" of the gate list has no job`, at: ['jobs'] });
          continue;
        }
        if (text(job.name) !== entry.title) {
          reports.push({
            message: `job ${entry.job} is named "${text(job.name)}", the gate list says "${entry.title}"`,
            at: ['jobs', entry.job, 'name'],
          });
        }
        const wanted: [string, string][] = [[`${entry.job}-result`, expression(`jobs.${entry.job}.result`)]];
        if (entry.counts !== undefined) {
          wanted.push([`${entry.job}-findings`, expression(`jobs.${entry.job}.outputs.findings`)]);
          if (record(job.outputs).findings === undefined) {
            reports.push({
              message: `job ${entry.job} counts findings but has no findings output`,
              at: ['jobs', entry.job],
            });
          }
        }
        for (const [name, value] of wanted) {
          if (text(record(outputs[name]).value) !== value) {
            reports.push({
              message: `output ${name} must be ${value}`,
              at: ['on', 'workflow_call', 'outputs'],
            });
          }
        }
      }
      for (const jobId of Object.keys(jobs)) {
        if (!GATE_JOBS.some((entry) => entry.job === jobId)) {
          reports.push({
            message: `job ${jobId} is not in the gate list (security/gates/catalog.ts)`,
            at: ['jobs', jobId],
          });
        }
      }
      return reports;
    },
  },
  {
    id: 'gate-summary',
    level: 'workflow',
    description: `A workflow that calls ${GATES_WORKFLOW} prints the run summary from the gate list.`,
    help: `Run \`node ${SUMMARY_COMMAND}\` in a job that needs the gates job, with GATE_OUTPUTS set to toJSON of its outputs.`,
    check: ({ workflow }) => gateOutputsFed(workflow, SUMMARY_COMMAND),
  },
  {
    id: 'gate-reports',
    level: 'workflow',
    description: `Every gate of security/gates/catalog.ts with an attested report uploads it from its job of ${GATES_WORKFLOW} as the artifact \`${REPORT_ARTIFACT_PREFIX}<job>\`, even when the job failed.`,
    help: `The gate-results attestation records each gate's report by its sha256; upload it with actions/upload-artifact, name ${REPORT_ARTIFACT_PREFIX}<job>, if: \${{ !cancelled() }}.`,
    check: ({ file, workflow }) => {
      if (file.path !== GATES_WORKFLOW) return [];
      const jobs = record(workflow.jobs);
      return GATE_JOBS.filter(
        (entry) => entry.attested !== undefined && jobs[entry.job] !== undefined,
      ).flatMap((entry): Report[] => {
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
  },
  {
    id: 'gate-attestation-outputs',
    level: 'workflow',
    description: `A workflow that calls ${GATES_WORKFLOW} builds the gate-results attestation from all of its outputs.`,
    help: `Run \`node ${ATTESTATION_COMMAND}\` in a job that needs the gates job, with GATE_OUTPUTS set to toJSON of its outputs: every gate of the list is then recorded.`,
    check: ({ workflow }) => {
      const runsAttestation = Object.values(record(workflow.jobs)).some((job) =>
        list(record(job).steps).some((step) => text(record(step).run).includes(ATTESTATION_COMMAND)),
      );
      return runsAttestation ? gateOutputsFed(workflow, ATTESTATION_COMMAND) : [];
    },
  },
];
