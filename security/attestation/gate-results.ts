/**
 * The gate-results attestation: a SLSA Verification Summary (VSA v1) whose subject is the pushed image
 * digest and whose predicate records every gate — its tool and version, the sha256 of each report it
 * wrote, its findings by severity, and its verdict. The publish job signs it keyless with
 * `cosign attest --type https://slsa.dev/verification_summary/v1`; every deploy verifies it first
 * (deploy/lib.sh `verify_gate_attestation`). A signature says who built an image; this says what it passed.
 *
 * Predicate fields follow slsa-framework/slsa spec/verification_summary.md (verifier, timeVerified,
 * resourceUri, policy, verificationResult, verifiedLevels); the per-gate record is an extension field whose
 * name is a URI, as that spec's parsing rules allow. docs/gate-attestation.md describes every field.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- a CLI for the publish job: it reads the
   report folders and writes the output file that job names on its command line; no request reaches it. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { GATE_JOBS, REPORT_ARTIFACT_PREFIX, type ReportReaderKind } from '../gates/catalog.ts';
import { parseGateOutputs } from '../gates/summary.ts';
import { SHA256_DIGEST } from '../constants.ts';

export { REPORT_ARTIFACT_PREFIX };

export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
export const PASSED = 'passed';
export const FAILED = 'failed';

/**
 * The extension field holding the gate records. A VSA extension must be named by a URI; this one names
 * the file that defines the gates, so it is specific to the repository whose pipeline signs it.
 */
export const gatesField = (serverUrl: string, repository: string): string =>
  `${serverUrl}/${repository}/.github/workflows/security-gates.yml`;

export interface Findings {
  readonly total: number;
  /** Only the severities that occur. The vocabulary is the tool's own (docs/gate-attestation.md). */
  readonly bySeverity: Record<string, number>;
}
export interface Tool {
  readonly name: string;
  readonly version: string;
}
interface ReportReading {
  readonly tool: Tool;
  readonly findings: Findings;
}
type ReportReader = (files: readonly ReportFile[], context: ReaderContext) => ReportReading;
interface ReportFile {
  readonly name: string;
  readonly text: string;
}
interface ReaderContext {
  /** package-lock.json of the commit, for tools whose report does not carry their version. */
  readonly lockfile: string;
}

export interface GateDefinition {
  /** The job id in security-gates.yml; its result is the gates output `<name>-result` (GATE_OUTPUTS). */
  readonly name: string;
  /** Which files of the gate's artifact are its report (the artifact may carry helpers beside them). */
  readonly reports: RegExp;
  readonly read: ReportReader;
}

/** How many results fall into each key, keeping only the keys that occur. */
function tally(keys: readonly string[]): Findings {
  const bySeverity: Record<string, number> = {};
  for (const key of keys) bySeverity[key] = (bySeverity[key] ?? 0) + 1;
  return { total: keys.length, bySeverity };
}

// GitHub's thresholds for a rule's `security-severity` (the same ones code scanning shows).
function securitySeverityName(score: number): string {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

// Trivy tags each rule with its own severity (aquasecurity/trivy pkg/report/sarif.go, addSarifRule) and
// puts the vendor's CVSS score in `security-severity`; the two can disagree, and the Trivy gate fails on
// Trivy's own rating, so that one is counted.
const TOOL_SEVERITY_TAGS = new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);

/**
 * A SARIF result's severity: the tool's own rating when its rule is tagged with one (Trivy), else the
 * rule's `security-severity` when it has one (CodeQL security queries), else its SARIF level (own `level`, else the rule's default, else "warning": SARIF
 * 2.1.0 §3.27.10). The CodeQL Action groups rules by query pack, so a rule may live in
 * `tool.extensions[].rules`, reached through `rule.toolComponent.index` (codeql-action src/codeql.ts).
 */
function sarifSeverities(log: Log): string[] {
  if (!log || !Array.isArray(log.runs)) throw new Error('not a SARIF log: no "runs" array');
  const severities: string[] = [];
  for (const run of log.runs) {
    const driverRules = run.tool.driver.rules ?? [];
    const byId = new Map<string, ReportingDescriptor>();
    for (const component of [run.tool.driver, ...(run.tool.extensions ?? [])])
      for (const rule of component.rules ?? []) byId.set(rule.id, rule);
    for (const result of run.results ?? []) {
      if ((result.suppressions ?? []).some((s) => (s.status ?? 'accepted') === 'accepted')) continue;
      const rule = ruleOf(result, run.tool.extensions ?? [], driverRules, byId);
      const ownRating = (rule?.properties?.tags ?? []).find((tag) => TOOL_SEVERITY_TAGS.has(tag));
      const score = Number.parseFloat(String(rule?.properties?.['security-severity'] ?? ''));
      if (ownRating !== undefined) severities.push(ownRating.toLowerCase());
      else if (Number.isFinite(score)) severities.push(securitySeverityName(score));
      else severities.push(result.level ?? rule?.defaultConfiguration?.level ?? 'warning');
    }
  }
  return severities;
}

function ruleOf(
  result: Result,
  extensions: readonly { rules?: ReportingDescriptor[] }[],
  driverRules: readonly ReportingDescriptor[],
  byId: Map<string, ReportingDescriptor>,
): ReportingDescriptor | undefined {
  const index = result.rule?.index ?? result.ruleIndex;
  const component = result.rule?.toolComponent?.index;
  if (index !== undefined) {
    const rules = component === undefined ? driverRules : extensions[component]?.rules;
    const rule = rules?.[index];
    if (rule) return rule;
  }
  const id = result.ruleId ?? result.rule?.id;
  return id === undefined ? undefined : byId.get(id);
}

const readSarif: ReportReader = (files) => {
  const logs = files.map((file) => JSON.parse(file.text) as Log);
  const drivers = logs.flatMap((log) => (log.runs ?? []).map((run) => run.tool.driver));
  const driver = drivers[0];
  const version = driver?.semanticVersion ?? driver?.version;
  if (!driver?.name || !version) throw new Error('the SARIF names no tool version (tool.driver.version)');
  return { tool: { name: driver.name, version }, findings: tally(logs.flatMap(sarifSeverities)) };
};

// ZAP's traditional JSON report (zap-extensions addOns/reports/.../traditional-json/report.json):
// "@programName", "@version", and site[].alerts[] with riskcode "0".."3" as strings.
const ZAP_RISKS = ['informational', 'low', 'medium', 'high'];
const readZap: ReportReader = ([file]) => {
  const report = JSON.parse(file?.text ?? 'null') as {
    '@programName'?: string;
    '@version'?: string;
    site?: { alerts?: { riskcode?: string }[] }[];
  } | null;
  if (!report?.['@version']) throw new Error('the ZAP report names no version ("@version")');
  const risks = (report.site ?? []).flatMap((site) =>
    (site.alerts ?? []).map((alert) => ZAP_RISKS[Number(alert.riskcode)] ?? 'unknown'),
  );
  return {
    tool: { name: report['@programName'] ?? 'ZAP', version: report['@version'] },
    findings: tally(risks),
  };
};

// `npm audit --json` (auditReportVersion 2): metadata.vulnerabilities counts by npm's severities. The
// report does not carry npm's version, so the job writes it beside the report (npm-version.txt).
const NPM_SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'];
const readNpmAudit: ReportReader = (files) => {
  const audit = files.find((file) => file.name === 'npm-audit.json');
  const npmVersion = files.find((file) => file.name === 'npm-version.txt')?.text.trim();
  if (!audit) throw new Error('npm-audit.json is missing');
  if (!npmVersion || !/^\d+\.\d+\.\d+/.test(npmVersion))
    throw new Error('npm-version.txt is missing or malformed');
  const counts = (JSON.parse(audit.text) as { metadata?: { vulnerabilities?: Record<string, number> } })
    .metadata?.vulnerabilities;
  if (!counts) throw new Error('npm-audit.json has no metadata.vulnerabilities');
  const bySeverity: Record<string, number> = {};
  for (const severity of NPM_SEVERITIES) if (counts[severity]) bySeverity[severity] = counts[severity];
  const total = NPM_SEVERITIES.reduce((sum, severity) => sum + (counts[severity] ?? 0), 0);
  return { tool: { name: 'npm audit', version: npmVersion }, findings: { total, bySeverity } };
};

// jest's --json results (numFailedTests): a failed test is the finding. jest's version is not in the
// report; the lockfile of the same commit pins it.
const readJest: ReportReader = ([file], { lockfile }) => {
  const results = JSON.parse(file?.text ?? 'null') as { numFailedTests?: number } | null;
  if (typeof results?.numFailedTests !== 'number') throw new Error('jest results have no numFailedTests');
  const lock = JSON.parse(lockfile) as { packages?: Record<string, { version?: string }> };
  const version = lock.packages?.['node_modules/jest']?.version;
  if (!version) throw new Error('package-lock.json pins no jest version');
  const failed = results.numFailedTests;
  const bySeverity: Record<string, number> = failed > 0 ? { failed } : {};
  return { tool: { name: 'jest', version }, findings: { total: failed, bySeverity } };
};

const READERS: Readonly<Record<ReportReaderKind, ReportReader>> = {
  sarif: readSarif,
  jest: readJest,
  'npm-audit': readNpmAudit,
  zap: readZap,
};

/**
 * Every gate whose result the attestation records, in the order of the one list of gates
 * (security/gates/catalog.ts): each entry with an `attested` report. Adding a gate there adds it here;
 * the workflow policy (`gate-reports`) checks that its job uploads `gate-report-<job>`. `build` is not
 * here: its product is the subject itself.
 */
export const GATES: readonly GateDefinition[] = GATE_JOBS.flatMap((entry) =>
  entry.attested === undefined
    ? []
    : [{ name: entry.job, reports: entry.attested.reports, read: READERS[entry.attested.reader] }],
);

export interface GateRecord {
  readonly name: string;
  readonly tool: Tool;
  /** in-toto ResourceDescriptors: the file name, where to fetch it, and its sha256. */
  readonly reports: readonly {
    name: string;
    uri: string;
    digest: { sha256: string };
    annotations: { artifact: string };
  }[];
  readonly findings: Findings;
  readonly verdict: typeof PASSED | typeof FAILED;
}

export interface AttestationInput {
  /** Directory holding one folder per report artifact (download-artifact with a pattern, >1 match). */
  readonly reportsDir: string;
  /** The job result of each gate, as `needs.<job>.result` gives it. */
  readonly results: Readonly<Record<string, string>>;
  readonly image: string;
  readonly digest: string;
  readonly repository: string;
  readonly commit: string;
  readonly serverUrl: string;
  readonly runUrl: string;
  /** The gate definitions at the commit, for the policy digest. */
  readonly policyFile: string;
  readonly lockfile: string;
  readonly timeVerified: string;
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** One gate's record from its artifact folder and job result; throws naming the gate when unreadable. */
export function recordGate(gate: GateDefinition, input: AttestationInput): GateRecord {
  const artifact = `${REPORT_ARTIFACT_PREFIX}${gate.name}`;
  const folder = join(input.reportsDir, artifact);
  const result = input.results[gate.name];
  if (result === undefined || result === '') throw new Error(`gate ${gate.name}: no job result given`);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new Error(`gate ${gate.name}: artifact ${artifact} was not downloaded`);
  const names = readdirSync(folder)
    .filter((name) => gate.reports.test(name))
    .sort();
  if (names.length === 0) throw new Error(`gate ${gate.name}: artifact ${artifact} holds no report`);
  const files = names.map((name) => ({ name, bytes: readFileSync(join(folder, name)) }));
  let reading: ReportReading;
  try {
    reading = gate.read(
      files.map((file) => ({ name: file.name, text: file.bytes.toString('utf8') })),
      { lockfile: input.lockfile },
    );
  } catch (err) {
    throw new Error(`gate ${gate.name}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return {
    name: gate.name,
    tool: reading.tool,
    reports: files.map((file) => ({
      name: file.name,
      uri: input.runUrl,
      digest: { sha256: sha256(file.bytes) },
      annotations: { artifact },
    })),
    findings: reading.findings,
    // The gate's own job decides (its thresholds live in its policy file); the counts are evidence.
    verdict: result === 'success' ? PASSED : FAILED,
  };
}

export function buildPredicate(input: AttestationInput, gates: readonly GateDefinition[] = GATES) {
  if (!SHA256_DIGEST.test(input.digest)) throw new Error('the digest must be sha256:<64 hex>');
  const records = gates.map((gate) => recordGate(gate, input));
  const passed = records.every((record) => record.verdict === PASSED);
  return {
    verifier: {
      id: `${input.serverUrl}/${input.repository}/.github/workflows/pipeline.yml`,
      version: Object.fromEntries(records.map((record) => [record.tool.name, record.tool.version])),
    },
    timeVerified: input.timeVerified,
    resourceUri: `oci://${input.image}@${input.digest}`,
    policy: {
      uri: `${input.serverUrl}/${input.repository}/blob/${input.commit}/.github/workflows/security-gates.yml`,
      digest: { sha256: sha256(input.policyFile), gitCommit: input.commit },
    },
    verificationResult: passed ? 'PASSED' : 'FAILED',
    verifiedLevels: passed ? ['SLSA_BUILD_LEVEL_UNEVALUATED'] : ['FAILED'],
    slsaVersion: '1.1',
    [gatesField(input.serverUrl, input.repository)]: records,
  };
}

const USAGE = `usage: node security/gate-attestation.ts --reports DIR --image REGISTRY/PATH --digest sha256:HEX --output FILE
  Gate results come from GATE_OUTPUTS, the gates workflow's outputs as JSON (e.g. {"lint-result":"success",…});
  repository, commit, server and run from GitHub's GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_SERVER_URL, GITHUB_RUN_ID.
Exit: 0 written, 1 a gate's report or result is missing or unreadable, 2 bad usage.`;

/** The CLI: writes the predicate (JSON) for cosign attest --predicate. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): number {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        reports: { type: 'string' },
        image: { type: 'string' },
        digest: { type: 'string' },
        output: { type: 'string' },
      },
    }));
  } catch (err) {
    console.error(`gate-attestation: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const missing = ['reports', 'image', 'digest', 'output'].filter((flag) => !values[flag]);
  const missingEnv = [
    'GITHUB_REPOSITORY',
    'GITHUB_SHA',
    'GITHUB_SERVER_URL',
    'GITHUB_RUN_ID',
    'GATE_OUTPUTS',
  ].filter((name) => !env[name]);
  if (missing.length > 0 || missingEnv.length > 0) {
    const names = [...missing.map((flag) => `--${flag}`), ...missingEnv].join(', ');
    console.error(`gate-attestation: missing ${names}\n${USAGE}`);
    return 2;
  }
  const serverUrl = env.GITHUB_SERVER_URL as string;
  const repository = env.GITHUB_REPOSITORY as string;
  try {
    const outputs = parseGateOutputs(env.GATE_OUTPUTS);
    const predicate = buildPredicate({
      reportsDir: values.reports as string,
      results: Object.fromEntries(GATES.map((gate) => [gate.name, outputs[`${gate.name}-result`] ?? ''])),
      image: values.image as string,
      digest: values.digest as string,
      repository,
      commit: env.GITHUB_SHA as string,
      serverUrl,
      runUrl: `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`,
      policyFile: readFileSync(join(cwd, '.github/workflows/security-gates.yml'), 'utf8'),
      lockfile: readFileSync(join(cwd, 'package-lock.json'), 'utf8'),
      timeVerified: new Date().toISOString(),
    });
    writeFileSync(values.output as string, `${JSON.stringify(predicate, null, 2)}\n`);
    console.log(
      `gate-attestation: ${predicate.verificationResult} for ${values.image}@${values.digest} → ${values.output}`,
    );
    return 0;
  } catch (err) {
    console.error(`gate-attestation: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
