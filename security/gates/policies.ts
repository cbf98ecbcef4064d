/**
 * The project's own policy checks as gates: the Dockerfile policy and the workflow policy. Each writes its
 * findings as SARIF under reports/, for reading locally: CI does not upload these (it runs these
 * policies in `npm test`). The lockfile policy is lockfile-lint's own (gates.ts runs the CLI).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checkDockerfile, DOCKERFILE_RULES } from '../dockerfile-policy.ts';
import type { GateContext, GateOutcome } from './gate.ts';
import {
  describeResults,
  type PolicyFinding,
  type PolicyTool,
  readSarifResults,
  toSarif,
  writeSarif,
} from './sarif.ts';

const REPOSITORY_URI = 'https://github.com/';

function outcomeOf(findings: readonly PolicyFinding[], sarifPath: string, tool: PolicyTool): GateOutcome {
  writeSarif(sarifPath, toSarif(tool, findings));
  const details = describeResults(readSarifResults(sarifPath) ?? []);
  return findings.length === 0
    ? { status: 'passed', findings: 0 }
    : { status: 'failed', findings: findings.length, details };
}

export async function runDockerfilePolicy(context: GateContext): Promise<GateOutcome> {
  const text = readFileSync(join(context.root, 'Dockerfile'), 'utf8');
  const findings = checkDockerfile(text).map((finding) => ({ ...finding, file: 'Dockerfile' }));
  return Promise.resolve(
    outcomeOf(findings, join(context.reportsDir, 'dockerfile-policy.sarif'), {
      name: 'dockerfile-policy',
      informationUri: `${REPOSITORY_URI}#security/dockerfile-policy.ts`,
      rules: DOCKERFILE_RULES,
    }),
  );
}

/** The workflow policy module's entry points, as `security/workflow-policy.ts` exports them. */
interface WorkflowPolicyModule {
  checkRepository(root: string): readonly WorkflowFinding[];
  WORKFLOW_RULES: Readonly<Record<string, string>>;
}

interface WorkflowFinding {
  readonly rule: string;
  readonly file: string;
  readonly line?: number;
  readonly message: string;
  readonly job?: string;
  readonly step?: string;
}

/** The message with the job and step it concerns, when the policy names them. */
const placed = (finding: WorkflowFinding) =>
  [finding.job && `job ${finding.job}`, finding.step && `step "${finding.step}"`, finding.message]
    .filter(Boolean)
    .join(': ');

export const WORKFLOW_POLICY_MODULE = 'security/workflow-policy.ts';

export function runWorkflowPolicy(context: GateContext): Promise<GateOutcome> {
  // Loaded from the repository under check (not bundled): the policy is that repository's file.
  // Node's own require runs the TypeScript file directly (type stripping) in the CLI and under Jest.
  const load = createRequire(join(context.root, 'package.json'));
  const policy = load(join(context.root, WORKFLOW_POLICY_MODULE)) as Partial<WorkflowPolicyModule>;
  if (typeof policy.checkRepository !== 'function') {
    return Promise.resolve({
      status: 'not run',
      reason: `${WORKFLOW_POLICY_MODULE} does not export checkRepository(root)`,
      howTo: 'restore the module from the template',
    });
  }
  // Every workflow and the gate configuration they name, exactly as the pipeline's policy test runs it.
  const findings: PolicyFinding[] = policy.checkRepository(context.root).map((finding) => ({
    rule: finding.rule,
    file: finding.file,
    ...(finding.line !== undefined ? { line: finding.line } : {}),
    message: placed(finding),
  }));
  return Promise.resolve(
    outcomeOf(findings, join(context.reportsDir, 'workflow-policy.sarif'), {
      name: 'workflow-policy',
      informationUri: `${REPOSITORY_URI}#security/workflow-policy.ts`,
      rules: policy.WORKFLOW_RULES ?? {},
    }),
  );
}
