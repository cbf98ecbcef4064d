/**
 * The repository's policy for its GitHub Actions workflows and the gate configuration they name.
 *
 * What a generic workflow linter checks is left to one: actionlint (syntax, expressions, `needs`) and
 * zizmor (unpinned uses, template injection, excessive permissions, dangerous triggers, persisted
 * credentials) are gates of their own (security/gates/workflow-linters.ts). These rules hold only what
 * this template promises and no tool knows: every action the reviewed commit with its reviewed inputs,
 * writes only where a step needs them, the image built once and published only after every gate. Each promise is a rule in `workflow-policy/rules/`, listed in `workflow-policy/registry.ts`
 * and called by one walker; `npm test` (test/pipeline) and the local gate runner both call
 * `checkRepository` and fail on any finding.
 *
 * Only node built-ins and `yaml` are imported, so the module also runs under Node's type stripping.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   built from its layout; no request or user input reaches these calls. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE_JOBS } from './gates/catalog.ts';
import type { WorkflowException } from './workflow-policy/exceptions.ts';
import { applies, checkExceptions, EXCEPTION_RULES, loadExceptions } from './workflow-policy/exceptions.ts';
import { checkPolicyFiles, POLICY_FILE_RULES } from './workflow-policy/policy-files.ts';
import { checkPublishFiles, PUBLISH_FILE_RULES } from './workflow-policy/publish-files.ts';
import { REGISTERED_RULES, WORKFLOW_RULE_GROUPS } from './workflow-policy/registry.ts';
import type { Finding, PolicyOptions, ReviewedAction, WorkflowFile } from './workflow-policy/rule.ts';
import { ACTIONS_TABLE } from './workflow-policy/helpers/pins.ts';
import { checkImagePins, TOOL_PIN_FILE_RULES } from './workflow-policy/helpers/tool-pins.ts';
import { walkWorkflow } from './workflow-policy/walker.ts';

export type {
  Finding,
  PolicyOptions,
  ReviewedAction,
  WorkflowFile,
  WorkflowRule,
} from './workflow-policy/rule.ts';
export { actionName } from './workflow-policy/rule.ts';
export type { WorkflowException } from './workflow-policy/exceptions.ts';
export { checkExceptions, EXCEPTIONS_FILE, loadExceptions } from './workflow-policy/exceptions.ts';
export { REGISTERED_RULES, WORKFLOW_RULE_GROUPS } from './workflow-policy/registry.ts';
export { WRITE_PERMISSIONS } from './workflow-policy/helpers/permissions.ts';
export { IMAGE_BUILD_JOBS } from './workflow-policy/helpers/image-flow.ts';
export { ACTIONS_TABLE } from './workflow-policy/helpers/pins.ts';
export {
  checkInstallScripts,
  checkPublishFiles,
  checkPushScript,
  PUBLISH_FILE_RULES,
} from './workflow-policy/publish-files.ts';

export const WORKFLOWS_DIR = '.github/workflows';

/** Findings that come from the walk itself rather than from a rule. */
const WALK_RULES: Readonly<Record<string, string>> = {
  yaml: 'Every workflow file is valid YAML.',
  'no-workflows': 'The repository has workflows under .github/workflows.',
};

/** Every rule id with its description: the SARIF `rules` table and the docs come from this. */
export const WORKFLOW_RULES: Readonly<Record<string, string>> = Object.freeze({
  // A publish-file rule shares its id with the workflow rule of the same contract; that one describes it.
  ...PUBLISH_FILE_RULES,
  ...Object.fromEntries(REGISTERED_RULES.map((rule) => [rule.id, rule.description])),
  ...POLICY_FILE_RULES,
  ...TOOL_PIN_FILE_RULES,
  ...EXCEPTION_RULES,
  ...WALK_RULES,
});

/** Whether an unexpired entry of the exceptions file excuses this finding in its workflow. */
function excepted(finding: Finding, exceptions: readonly WorkflowException[], now: Date): boolean {
  const name = finding.file.split('/').pop() ?? '';
  return exceptions.some(
    (entry) => entry.workflow === name && entry.rule === finding.rule && applies(entry, now),
  );
}

/** Reads `security/actions-inputs.json`: the reviewed commit and inputs of every action. */
export function loadReviewedActions(root: string): Record<string, ReviewedAction> {
  const table = JSON.parse(readFileSync(join(root, ACTIONS_TABLE), 'utf8')) as {
    actions: Record<string, ReviewedAction>;
  };
  return table.actions;
}

/** Every workflow file under .github/workflows. */
export function readWorkflows(root: string): WorkflowFile[] {
  const dir = join(root, WORKFLOWS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: `${WORKFLOWS_DIR}/${name}`, text: readFileSync(join(dir, name), 'utf8') }));
}

/** Every policy finding of one workflow. `root` resolves config paths and local reusable workflows. */
export function checkWorkflow(root: string, file: WorkflowFile, options: PolicyOptions = {}): Finding[] {
  const actions = options.actions ?? loadReviewedActions(root);
  const exceptions = options.exceptions ?? loadExceptions(root);
  const now = options.now ?? new Date();
  return walkWorkflow(root, file, actions, options.gateJobs ?? GATE_JOBS).filter(
    (finding) => !excepted(finding, exceptions, now),
  );
}

/**
 * Every finding for the repository at `root`: each workflow, then the configuration they name, then the
 * publish path's scripts and lockfile.
 */
export function checkRepository(root: string, options: PolicyOptions = {}): Finding[] {
  const actions = options.actions ?? loadReviewedActions(root);
  const exceptions = options.exceptions ?? loadExceptions(root);
  const now = options.now ?? new Date();
  const workflows = readWorkflows(root);
  if (workflows.length === 0)
    return [{ rule: 'no-workflows', file: WORKFLOWS_DIR, message: 'no workflow files' }];
  return [
    ...workflows.flatMap((file) => checkWorkflow(root, file, { actions, exceptions, now })),
    ...checkExceptions(
      exceptions,
      workflows.map((file) => file.path.split('/').pop() ?? ''),
      REGISTERED_RULES.map((rule) => rule.id),
      now,
    ),
    ...checkPolicyFiles(root, workflows, now),
    ...checkPublishFiles(root),
    ...checkImagePins(root),
  ];
}

/** The rule table of docs/pipeline.md, generated from the registry so the two cannot drift. */
export function workflowRuleTable(): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const rows = Object.entries(WORKFLOW_RULE_GROUPS).flatMap(([group, rules]) =>
    rules.map(
      (rule) =>
        `| \`${rule.id}\` | ${group} | ${rule.level} | ${escape(rule.description)} | ${escape(rule.help)} |`,
    ),
  );
  const files = [
    ...Object.entries(POLICY_FILE_RULES).map(([id, description]) => [id, 'policy files', description]),
    ...Object.entries(PUBLISH_FILE_RULES).map(([id, description]) => [id, 'publish files', description]),
    ...Object.entries(TOOL_PIN_FILE_RULES).map(([id, description]) => [id, 'tool pins', description]),
    ...Object.entries(EXCEPTION_RULES).map(([id, description]) => [id, 'exceptions', description]),
  ].map(([id, group, description]) => `| \`${id}\` | ${group} | file | ${escape(description ?? '')} | |`);
  return [
    '| rule | group | level | holds workflows to | why, and how to comply |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...files,
  ].join('\n');
}

/** Where the rule with this id is written: one file per invariant, named by its id. */
export const ruleFile = (id: string) => `security/workflow-policy/rules/${id}.ts`;
/** Where its fixture is: the smallest workflow that breaks that rule and no other, under the same name. */
export const ruleFixture = (id: string) => `test/pipeline/fixtures/workflow-policy/${id}.yml`;

/**
 * One section per workflow rule for docs/workflow-rules.md: its group, the levels it looks at, what it
 * holds a workflow to, why and how to comply, the file that holds it and its fixture.
 */
export function workflowRuleSections(): string {
  return Object.entries(WORKFLOW_RULE_GROUPS)
    .flatMap(([group, rules]) =>
      [...new Set(rules.map((rule) => rule.id))].map((id) => {
        const forms = rules.filter((rule) => rule.id === id);
        return [
          `### \`${id}\``,
          '',
          `Group: ${group}. Checks each ${forms.map((rule) => rule.level).join(' and each ')}. Source: [\`${ruleFile(id)}\`](../${ruleFile(id)}). Fixture: [\`${ruleFixture(id)}\`](../${ruleFixture(id)}).`,
          '',
          ...forms.flatMap((rule) => [`${rule.description} ${rule.help}`, '']),
        ].join('\n');
      }),
    )
    .join('\n')
    .trimEnd();
}
