/**
 * `npm run docs:rules`: rewrites the tables in docs/pipeline.md that are generated from code — the
 * workflow rule registry and the one list of gates. Tests fail while a table differs from its source,
 * so the docs cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gateTable } from '../security/gates/catalog.ts';
import { workflowRuleTable } from '../security/workflow-policy.ts';

const TABLES: readonly [marker: string, render: () => string][] = [
  ['workflow-rules', workflowRuleTable],
  ['gate-table', gateTable],
];

// npm runs scripts from the package root.
const DOCS = join(process.cwd(), 'docs', 'pipeline.md');
let docs = readFileSync(DOCS, 'utf8');
for (const [marker, render] of TABLES) {
  const start = `<!-- ${marker}:start -->\n`;
  const end = `\n<!-- ${marker}:end -->`;
  const from = docs.indexOf(start);
  const to = docs.indexOf(end, from);
  if (from < 0 || to < 0) {
    console.error(`docs/pipeline.md has no ${start.trim()} … ${end.trim()} markers`);
    process.exit(1);
  }
  docs = `${docs.slice(0, from + start.length)}${render()}${docs.slice(to)}`;
}
writeFileSync(DOCS, docs);
