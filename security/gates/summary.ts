/**
 * The run summary of the pipeline: one row per gate job of the one list (catalog.ts), with its result
 * and findings count read from the gates workflow's outputs, then the publish row. The summary job runs
 * this file with `GATE_OUTPUTS: ${{ toJSON(needs.gates.outputs) }}`, so a new gate shows up in every
 * run's summary without touching the workflow.
 *
 * `write-summary.ts` is the command the job runs.
 */
import { GATE_JOBS } from './catalog.ts';

export interface PublishOutcome {
  readonly result?: string;
  readonly image?: string;
  readonly digest?: string;
}

/** A cell must not break the table: no pipes, no newlines (outputs are strings a job wrote). */
const cell = (value: string | undefined, fallback: string) =>
  value === undefined || value === '' ? fallback : value.replace(/[|\r\n]/g, ' ');

export function summaryMarkdown(
  outputs: Readonly<Record<string, string>>,
  publish: PublishOutcome = {},
): string {
  // A gate that could not run says so: an outage (`<job>-outage`) is neither a pass nor a finding.
  const result = (job: string) => {
    const outage = outputs[`${job}-outage`];
    const value = cell(outputs[`${job}-result`], 'unknown');
    return outage ? `${value}: OUTAGE, not a finding (${cell(outage, '')}); rerun the job` : value;
  };
  const rows = GATE_JOBS.map(
    (entry) =>
      `| ${entry.job} | ${result(entry.job)} | ${
        entry.counts === undefined ? '-' : cell(outputs[`${entry.job}-findings`], '-')
      } | ${entry.counts ?? '-'} |`,
  );
  const pushed = publish.image && publish.digest ? `${publish.image}@${publish.digest}` : '';
  return [
    '### Gates',
    '',
    '| gate | result | findings | counted |',
    '| --- | --- | --- | --- |',
    ...rows,
    `| publish | ${cell(publish.result, 'unknown')} | - | ${cell(pushed, 'nothing pushed')} |`,
    '',
    // The image published must be the one every gate saw: one manifest digest from build to push.
    '### Image digest at each step',
    '',
    '| step | manifest digest |',
    '| --- | --- |',
    ...GATE_JOBS.flatMap((entry) =>
      entry.digest ? [`| ${entry.digest.label} | ${cell(outputs[entry.digest.output], '-')} |`] : [],
    ),
    `| pushed | ${cell(publish.digest, '-')} |`,
    '',
  ].join('\n');
}

/** Reads the JSON of the gates' outputs; anything but an object of strings is refused by name. */
export function parseGateOutputs(json: string | undefined): Record<string, string> {
  if (json === undefined || json.trim() === '') throw new Error('GATE_OUTPUTS is not set');
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('GATE_OUTPUTS is not a JSON object');
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value ?? '')]));
}
