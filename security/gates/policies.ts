/**
 * The project's own policy checks as gates: the Dockerfile policy, the workflow policy and the lockfile
 * policy. Each writes its findings as SARIF under reports/ so code scanning can take them.
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

export const LOCKFILE_RULES = Object.freeze({
  'lockfile-https':
    'Every package in the lockfile is fetched over HTTPS: plain HTTP can be altered in transit.',
  'lockfile-allowed-hosts':
    'Every package comes from an allowed registry host: another host can serve other code under the same name.',
  'lockfile-package-name':
    'Every resolved URL names the package its lockfile entry names (or an allowed alias): a mismatch can smuggle in another package.',
  'lockfile-integrity': 'Every package carries a sha512 integrity hash: weaker hashes can be forged.',
  'lockfile-policy': 'The lockfile breaks the lockfile policy (see `npm run lint:lockfile`).',
} as const);

const LOCKFILE_MESSAGES: readonly [RegExp, keyof typeof LOCKFILE_RULES][] = [
  [/invalid (protocol|scheme)/i, 'lockfile-https'],
  [/invalid host|invalid origin|invalid url/i, 'lockfile-allowed-hosts'],
  [/different name/i, 'lockfile-package-name'],
  [/integrity/i, 'lockfile-integrity'],
];

// lockfile-lint colours its output even into a pipe; the parser reads plain text.
// eslint-disable-next-line no-control-regex -- matching the terminal colour codes is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

/** lockfile-lint's report ("detected … for package: NAME" + expected/actual lines) as findings. */
export function parseLockfileLint(output: string, lockfileText: string): PolicyFinding[] {
  const lines = output.replace(ANSI_ESCAPE, '').split('\n');
  const lockLines = lockfileText.split('\n');
  const findings: PolicyFinding[] = [];
  lines.forEach((line, index) => {
    const match = /^\s*detected (.+?) for package(?: with a different name)?: (\S+)/.exec(line);
    if (match === null) return;
    const [, problem = '', entry = ''] = match;
    const name = /^(@?[^@]+)/.exec(entry)?.[1] ?? entry;
    const expected = /expected:\s*(.*)$/.exec(lines[index + 1] ?? '')?.[1];
    const actual = /actual:\s*(.*)$/.exec(lines[index + 2] ?? '')?.[1];
    const rule = LOCKFILE_MESSAGES.find(([pattern]) => pattern.test(line))?.[1] ?? 'lockfile-policy';
    const keyLine = lockLines.findIndex((text) => text.includes(`"node_modules/${name}"`));
    findings.push({
      rule,
      file: 'package-lock.json',
      ...(keyLine === -1 ? {} : { line: keyLine + 1 }),
      message: `${entry}: ${problem}${expected !== undefined ? ` (expected ${expected}, actual ${actual ?? '?'})` : ''}`,
    });
  });
  return findings;
}

export async function runLockfilePolicy(context: GateContext): Promise<GateOutcome> {
  const result = await context.run('npm', ['run', '--silent', 'lint:lockfile']);
  const lockfile = readFileSync(join(context.root, 'package-lock.json'), 'utf8');
  const findings = parseLockfileLint(`${result.stdout}\n${result.stderr}`, lockfile);
  const sarifPath = join(context.reportsDir, 'lockfile-policy.sarif');
  const tool = {
    name: 'lockfile-lint',
    informationUri: 'https://github.com/lirantal/lockfile-lint',
    rules: LOCKFILE_RULES,
  };
  if (result.status !== 0 && findings.length === 0) {
    // Failed without a finding it could name (bad arguments, unreadable lockfile): never a pass.
    findings.push({
      rule: 'lockfile-policy',
      file: 'package-lock.json',
      message: `lint:lockfile exited ${result.status}: ${result.error ?? result.stderr.trim().split('\n').at(-1) ?? ''}`,
    });
  }
  return outcomeOf(findings, sarifPath, tool);
}
