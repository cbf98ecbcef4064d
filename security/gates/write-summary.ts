/**
 * The summary job's command (see summary.ts):
 *
 *   GATE_OUTPUTS='{"lint-result":"success",…}' PUBLISH_RESULT=success PUBLISH_IMAGE=… PUBLISH_DIGEST=… \
 *     node security/gates/write-summary.ts      # appends to $GITHUB_STEP_SUMMARY, else prints
 */
import { appendFileSync } from 'node:fs';
import { parseGateOutputs, summaryMarkdown } from './summary.ts';

try {
  const markdown = summaryMarkdown(parseGateOutputs(process.env.GATE_OUTPUTS), {
    result: process.env.PUBLISH_RESULT,
    image: process.env.PUBLISH_IMAGE,
    digest: process.env.PUBLISH_DIGEST,
  });
  const target = process.env.GITHUB_STEP_SUMMARY;
  if (target) appendFileSync(target, markdown);
  else process.stdout.write(markdown);
} catch (err) {
  console.error(`summary: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
