/**
 * Gates: the reusable gates workflow has exactly the jobs of the one list of gates
 * (security/gates/catalog.ts), each with its name, its result and findings outputs and the report the
 * gate-results attestation records; the workflow that calls it prints the summary and builds the
 * attestation from all of its outputs. Adding a gate is one entry and its job.
 */
import { GATES_WORKFLOW } from '../../gates/catalog.ts';
import type { Json, Report } from '../rule.ts';
import { list, record, text } from '../rule.ts';

export const SUMMARY_COMMAND = 'security/gates/write-summary.ts';
export const ATTESTATION_COMMAND = 'security/gate-attestation.ts';
export const expression = (body: string) => `\${{ ${body} }}`;

/**
 * For each job that calls the gates workflow: a report when no job that needs it runs `command` with
 * GATE_OUTPUTS set to all of its outputs (so a gate added to the list reaches that command unedited).
 */
export function gateOutputsFed(workflow: Json, command: string): Report[] {
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
