/**
 * The blocks generated from code, between their markers, that `npm run generate` (scripts/generate.ts)
 * rewrites: in docs/pipeline.md the workflow rule registry, the gate table and the required status
 * checks; in docs/workflow-rules.md one section per workflow rule; in the gates workflow
 * every gate's `workflow_call` outputs (security/gates/catalog.ts). The tests fail while a block differs
 * from what the code renders, so neither the docs nor the workflow can drift from the list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE_OUTPUTS_MARKERS, GATES_WORKFLOW, gateOutputs, gateTable, requiredChecks } from './catalog.ts';
import { workflowRuleSections, workflowRuleTable } from '../workflow-policy.ts';

interface Block {
  readonly start: string;
  readonly end: string;
  readonly render: () => string;
}

const docsMarkers = (marker: string, render: () => string): Block => ({
  start: `<!-- ${marker}:start -->`,
  end: `<!-- ${marker}:end -->`,
  render,
});

const FILES: Readonly<Record<string, readonly Block[]>> = {
  'docs/pipeline.md': [
    docsMarkers('workflow-rules', workflowRuleTable),
    docsMarkers('gate-table', gateTable),
    // Inside the setup list's step 5: the end marker is indented like the item, after a blank line.
    {
      ...docsMarkers('required-checks', () => `${requiredChecks()}\n`),
      end: '   <!-- required-checks:end -->',
    },
  ],
  'docs/workflow-rules.md': [docsMarkers('workflow-rule-sections', workflowRuleSections)],
  [GATES_WORKFLOW]: [{ ...GATE_OUTPUTS_MARKERS, render: gateOutputs }],
};

/** `text` with each block's lines between its markers replaced by the rendered ones. */
export function regenerate(path: string, text: string): string {
  let result = text;
  for (const block of FILES[path] ?? []) {
    const start = `${block.start}\n`;
    const end = `\n${block.end}`;
    const from = result.indexOf(start);
    const to = result.indexOf(end, from);
    if (from < 0 || to < 0)
      throw new Error(`${path} has no ${block.start.trim()} … ${block.end.trim()} markers`);
    result = `${result.slice(0, from + start.length)}${block.render()}${result.slice(to)}`;
  }
  return result;
}

/** Each generated file whose blocks differ from what the code renders now, with its fresh text. */
function staleFiles(root: string): { path: string; fresh: string }[] {
  return Object.keys(FILES).flatMap((path) => {
    const text = readFileSync(join(root, path), 'utf8');
    const fresh = regenerate(path, text);
    return fresh === text ? [] : [{ path, fresh }];
  });
}

/** The generated files whose blocks differ from what the code renders now. */
export function stalePaths(root: string): string[] {
  return staleFiles(root).map(({ path }) => path);
}

export function main(root: string, check: boolean): number {
  let stale: { path: string; fresh: string }[];
  try {
    stale = staleFiles(root);
  } catch (error) {
    console.error(`generate: ${(error as Error).message}`);
    return 1;
  }
  for (const { path, fresh } of stale) {
    if (check)
      console.error(
        `generate: ${path} is not what security/gates/catalog.ts and the rules make: run npm run generate`,
      );
    else {
      writeFileSync(join(root, path), fresh);
      console.log(`generate: rewrote ${path}`);
    }
  }
  return check && stale.length > 0 ? 1 : 0;
}
