/** The `gate-jobs` invariant (gate rules); its helpers are in ../helpers/gate-rules.ts. */
import { GATES_WORKFLOW } from '../../gates/catalog.ts';
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, record, text } from '../rule.ts';
import { expression } from '../helpers/gate-rules.ts';

export const GATE_JOB_RULES: WorkflowRule = defineRule('gate-jobs', 'workflow', {
  description: `${GATES_WORKFLOW} has one job per entry of security/gates/catalog.ts, named as listed, with its result and findings outputs.`,
  help: 'The status checks, the run summary and `npm run gates --list` all come from the list: add the entry first, then its job and outputs.',
  check: ({ file, workflow, gateJobs }) => {
    if (file.path !== GATES_WORKFLOW) return [];
    const jobs = record(workflow.jobs);
    const outputs = record(record(record(workflow.on).workflow_call).outputs);
    const reports: Report[] = [];
    for (const entry of gateJobs) {
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
      if (!gateJobs.some((entry) => entry.job === jobId)) {
        reports.push({
          message: `job ${jobId} is not in the gate list (security/gates/catalog.ts)`,
          at: ['jobs', jobId],
        });
      }
    }
    return reports;
  },
});
