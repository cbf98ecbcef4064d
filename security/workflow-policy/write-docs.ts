/**
 * Rewrites the rule table in docs/pipeline.md from the registry (`npm run docs:rules`); a test fails
 * while the two differ, so the docs cannot drift from the rules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workflowRuleTable } from '../workflow-policy.ts';

// npm runs scripts from the package root.
const DOCS = join(process.cwd(), 'docs', 'pipeline.md');
const MARKERS = /(<!-- workflow-rules:start -->\n)[\s\S]*?(\n<!-- workflow-rules:end -->)/;

const docs = readFileSync(DOCS, 'utf8');
if (!MARKERS.test(docs)) {
  console.error(
    'docs/pipeline.md has no <!-- workflow-rules:start --> … <!-- workflow-rules:end --> markers',
  );
  process.exit(1);
}
writeFileSync(
  DOCS,
  docs.replace(MARKERS, (_, start: string, end: string) => `${start}${workflowRuleTable()}${end}`),
);
