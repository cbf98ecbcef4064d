/**
 * One walk over a workflow: the document is parsed once (with a line counter, so every finding carries
 * its line and column), then each registered rule is called at its level — once for the workflow, once
 * per job, once per step.
 */
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { GateJob } from '../gates/catalog.ts';
import { REGISTERED_RULES } from './registry.ts';
import type {
  Finding,
  JobScope,
  NodePath,
  Report,
  ReviewedAction,
  StepScope,
  WorkflowFile,
  WorkflowScope,
} from './rule.ts';
import { actionName, list, record, text } from './rule.ts';

/** Line and column of the node at `path`: for a map entry its key, for a list item the item itself. */
function position(
  scope: WorkflowScope,
  lineCounter: LineCounter,
  path: NodePath,
): { line: number; column: number } | undefined {
  let node: unknown = scope.document.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => text((item.key as { value?: unknown } | null)?.value) === String(segment),
      );
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function stepLabel(step: Record<string, unknown>, index: number): string {
  return text(step.name) || text(step.uses) || `step ${index + 1}`;
}

/** Every finding the registered rules report for one workflow file. */
export function walkWorkflow(
  root: string,
  file: WorkflowFile,
  actions: Record<string, ReviewedAction>,
  gateJobs: readonly GateJob[],
): Finding[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(file.text, { lineCounter });
  const error = document.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return [{ rule: 'yaml', file: file.path, message: error.message, line, column: col }];
  }
  const workflow: WorkflowScope = {
    root,
    file,
    document,
    workflow: record(document.toJS()),
    actions,
    gateJobs,
  };
  const findings: Finding[] = [];
  const report = (rule: string, reports: Report[], where: NodePath, job?: string, step?: string) => {
    for (const { message, at } of reports) {
      findings.push({
        rule,
        file: file.path,
        message,
        ...position(workflow, lineCounter, at ?? where),
        ...(job === undefined ? {} : { job }),
        ...(step === undefined ? {} : { step }),
      });
    }
  };

  for (const rule of REGISTERED_RULES) {
    if (rule.level === 'workflow') report(rule.id, rule.check(workflow), []);
  }
  for (const [jobId, rawJob] of Object.entries(record(workflow.workflow.jobs))) {
    const job = record(rawJob);
    const path = ['jobs', jobId];
    const jobScope: JobScope = { ...workflow, jobId, job, steps: list(job.steps).map(record), path };
    for (const rule of REGISTERED_RULES) {
      if (rule.level === 'job') report(rule.id, rule.check(jobScope), path, jobId);
    }
    jobScope.steps.forEach((step, index) => {
      const stepPath = [...path, 'steps', index];
      const label = stepLabel(step, index);
      const stepScope: StepScope = {
        ...jobScope,
        step,
        index,
        label,
        action: actionName(text(step.uses)),
        run: text(step.run),
        inputs: record(step.with),
        stepPath,
      };
      for (const rule of REGISTERED_RULES) {
        if (rule.level === 'step') report(rule.id, rule.check(stepScope), stepPath, jobId, label);
      }
    });
  }
  return findings;
}
