/**
 * The project's own policy checks as gates: the Dockerfile policy, the workflow policy and the lockfile
 * policy. Each writes its findings as SARIF under reports/, for reading locally: CI does not upload these
 * (it runs these policies in `npm test` and `npm run lint:lockfile`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import lockfileLint from 'lockfile-lint-api';
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

// The one lockfile policy: the "lockfile-lint" key of package.json, which the CLI (`npm run
// lint:lockfile`, run by CI) finds first among its cosmiconfig search places (lockfile-lint 5.0.1,
// src/config.js). The gate applies the same keys through lockfile-lint-api, the library the CLI is built
// on, to get each finding with its validator and package instead of parsing the CLI's coloured text.
export const LOCKFILE_POLICY_KEY = 'lockfile-lint';

interface LockfilePolicy {
  readonly path?: string;
  readonly type?: string;
  readonly 'allowed-hosts'?: readonly string[];
  readonly 'validate-https'?: boolean;
  readonly 'validate-package-names'?: boolean;
  readonly 'validate-integrity'?: boolean;
  readonly 'empty-hostname'?: boolean;
  readonly 'allowed-package-name-aliases'?: readonly string[];
  readonly 'integrity-exclude'?: readonly string[];
}

// Keys beyond these (allowed-urls, allowed-schemes, …) would make the CLI check something the gate does
// not: the gate refuses them rather than pass a lockfile CI would fail.
const APPLIED_POLICY_KEYS: ReadonlySet<string> = new Set([
  'path',
  'type',
  'allowed-hosts',
  'validate-https',
  'validate-package-names',
  'validate-integrity',
  'empty-hostname',
  'allowed-package-name-aliases',
  'integrity-exclude',
]);

/**
 * The lockfile's breaches of the policy, one finding per validator error, as the CLI would report them
 * (same validators, same arguments: lockfile-lint 5.0.1 bin/lockfile-lint.js and src/validators).
 */
export function checkLockfile(policy: LockfilePolicy, lockfileText: string): PolicyFinding[] {
  const file = policy.path ?? 'package-lock.json';
  const unapplied = Object.keys(policy).filter((key) => !APPLIED_POLICY_KEYS.has(key));
  if (unapplied.length > 0) {
    return [
      {
        rule: 'lockfile-policy',
        file: 'package.json',
        message: `the gate does not apply ${unapplied.join(', ')} (npm run lint:lockfile does): extend checkLockfile in security/gates/policies.ts`,
      },
    ];
  }
  let packages: Record<string, unknown>;
  try {
    packages = new lockfileLint.ParseLockfile({
      lockfileText,
      lockfileType: policy.type ?? 'npm',
    }).parseSync().object;
  } catch (err) {
    return [{ rule: 'lockfile-policy', file, message: err instanceof Error ? err.message : String(err) }];
  }
  const options = {
    // The CLI's default: an empty host name passes unless the policy says false.
    emptyHostname: policy['empty-hostname'] ?? true,
    integrityExclude: policy['integrity-exclude'],
  };
  const runs: [keyof typeof LOCKFILE_RULES, lockfileLint.ValidationResult][] = [];
  if (policy['allowed-hosts']) {
    runs.push([
      'lockfile-allowed-hosts',
      new lockfileLint.ValidateHost({ packages }).validate(policy['allowed-hosts'], options),
    ]);
  }
  if (policy['validate-https']) {
    runs.push(['lockfile-https', new lockfileLint.ValidateHttps({ packages }).validate()]);
  }
  if (policy['validate-package-names']) {
    runs.push([
      'lockfile-package-name',
      new lockfileLint.ValidatePackageNames({ packages }).validate(
        policy['allowed-package-name-aliases'] ?? [],
      ),
    ]);
  }
  if (policy['validate-integrity']) {
    runs.push(['lockfile-integrity', new lockfileLint.ValidateIntegrity({ packages }).validate(options)]);
  }
  const lockLines = lockfileText.split('\n');
  return runs.flatMap(([rule, result]) =>
    result.errors.map((error) => {
      const name = /^(@?[^@]+)/.exec(error.package)?.[1] ?? error.package;
      const keyLine = lockLines.findIndex((text) => text.includes(`"node_modules/${name}"`));
      // "detected invalid protocol for package: NAME" then "expected: …" and "actual: …" lines.
      const [headline = '', ...facts] = error.message.trim().split('\n');
      const [what = '', qualifier = ''] = headline.replace(/^detected /, '').split(' for package');
      const problem = `${what} ${(qualifier.split(':')[0] ?? '').trim()}`.trim();
      const detail = facts.map((fact) => fact.trim()).join(', ');
      return {
        rule,
        file,
        ...(keyLine === -1 ? {} : { line: keyLine + 1 }),
        message: `${error.package}: ${problem}${detail === '' ? '' : ` (${detail})`}`,
      };
    }),
  );
}

export function runLockfilePolicy(context: GateContext): Promise<GateOutcome> {
  const manifest = JSON.parse(readFileSync(join(context.root, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const policy = manifest[LOCKFILE_POLICY_KEY] as LockfilePolicy | undefined;
  const lockfilePath = join(context.root, policy?.path ?? 'package-lock.json');
  const findings =
    policy === undefined
      ? [
          {
            rule: 'lockfile-policy',
            file: 'package.json',
            message: `no "${LOCKFILE_POLICY_KEY}" policy in package.json`,
          },
        ]
      : checkLockfile(policy, existsSync(lockfilePath) ? readFileSync(lockfilePath, 'utf8') : '');
  return Promise.resolve(
    outcomeOf(findings, join(context.reportsDir, 'lockfile-policy.sarif'), {
      name: 'lockfile-lint',
      informationUri: 'https://github.com/lirantal/lockfile-lint',
      rules: LOCKFILE_RULES,
    }),
  );
}
