// @ts-check
/* eslint-disable security/detect-non-literal-fs-filename -- reads the report paths a gate names (a
   reader of the pipeline's own files, not a server). */
// The one SARIF reader: the CI gate (security/sarif-gate.mjs) and the local gate runner
// (security/gates/) read every scanner's report through it, so both agree on which results count.
// Plain JavaScript on purpose, type-checked from its JSDoc (`// @ts-check`): the CI script runs it with
// whatever Node the runner has (the CodeQL, Trivy and Checkov jobs set up none, and a runner's Node may
// predate type stripping).
//
// Rules are looked up where the tool put them. The CodeQL Action always passes
// `--sarif-group-rules-by-pack` (github/codeql-action src/codeql.ts at v4.36.2), so CodeQL's rule
// objects sit in `runs[].tool.extensions[].rules`, a result points at its rule with
// `rule.toolComponent.index` + `rule.index` (CodeQL CLI 2.5.5 changelog), and CodeQL's results carry
// no `level` of their own. A reader that looked only in `tool.driver.rules` would see every CodeQL
// result as "warning" and a gate on "error" could never fail.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {import('sarif').Log} Log
 * @typedef {import('sarif').ReportingDescriptor} ReportingDescriptor
 * @typedef {import('sarif').Result} Result
 * @typedef {import('sarif').Run} Run
 * @typedef {import('sarif').ToolComponent} ToolComponent
 */

/**
 * One unsuppressed result, as the gates judge it.
 * @typedef {object} SarifFinding
 * @property {string} tool
 * @property {string} ruleId
 * @property {string} level
 * @property {number | undefined} securitySeverity The rule's `security-severity` (0–10), when it has one.
 * @property {string} message
 * @property {string | undefined} file
 * @property {number | undefined} line
 * @property {Result} result
 */

/**
 * @typedef {object} BlockingPolicy
 * @property {ReadonlySet<string>} failLevels
 * @property {number | undefined} [minSecuritySeverity]
 */

/** @type {readonly ['none', 'note', 'warning', 'error']} */
export const SARIF_LEVELS = Object.freeze(['none', 'note', 'warning', 'error']);
/** GitHub's code scanning calls a `security-severity` of 7.0 and above "high" (9.0+ "critical"). */
export const HIGH_SECURITY_SEVERITY = 7.0;

/**
 * The one suppression rule. A result is suppressed when a suppression on it is accepted, or has no
 * `status` at all: ESLint's SARIF formatter writes an eslint-disable comment (a reviewed, justified
 * exception) as `{ kind: "inSource" }` with no status. "underReview" is no decision yet and
 * "rejected" a refusal, so such a result still counts.
 * @param {Result} result
 * @returns {boolean}
 */
export function isSuppressed(result) {
  return (result.suppressions ?? []).some((suppression) => (suppression.status ?? 'accepted') === 'accepted');
}

/**
 * The tool component a result's rule lives in: the driver unless `rule.toolComponent` names an extension.
 * @param {Run} run
 * @param {Result} result
 * @returns {ToolComponent | undefined}
 */
function componentOf(run, result) {
  const tool = run.tool ?? {};
  const reference = result.rule?.toolComponent;
  if (reference === undefined) return tool.driver;
  if (typeof reference.index === 'number' && Number.isInteger(reference.index))
    return tool.extensions?.[reference.index];
  return (tool.extensions ?? []).find(
    (extension) =>
      (reference.guid !== undefined && extension.guid === reference.guid) ||
      (reference.name !== undefined && extension.name === reference.name),
  );
}

/**
 * The reportingDescriptor of a result: by index in its component, else by id anywhere in the run.
 * @param {Run} run
 * @param {Result} result
 * @returns {ReportingDescriptor | undefined}
 */
export function ruleOf(run, result) {
  const component = componentOf(run, result);
  const index = result.rule?.index ?? result.ruleIndex;
  const byIndex =
    typeof index === 'number' && Number.isInteger(index) ? component?.rules?.[index] : undefined;
  if (byIndex !== undefined) return byIndex;
  const id = result.ruleId ?? result.rule?.id;
  if (id === undefined) return undefined;
  const components = [run.tool?.driver, ...(run.tool?.extensions ?? [])];
  for (const candidate of components) {
    const rule = (candidate?.rules ?? []).find((descriptor) => descriptor.id === id);
    if (rule !== undefined) return rule;
  }
  return undefined;
}

/**
 * A number from a rule's `security-severity` property (CodeQL writes it as a string), else undefined.
 * @param {ReportingDescriptor | undefined} rule
 * @returns {number | undefined}
 */
function securitySeverityOf(rule) {
  const raw = rule?.properties?.['security-severity'];
  const value = typeof raw === 'string' ? Number.parseFloat(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Every unsuppressed result of a SARIF log as a finding: level from the result, else its rule's
 * `defaultConfiguration.level`, else "warning" (SARIF 2.1.0, 3.27.10); the rule's `security-severity`.
 * @param {Log} log
 * @returns {SarifFinding[]}
 */
export function sarifFindings(log) {
  if (!log || !Array.isArray(log.runs)) throw new Error('not a SARIF log: no "runs" array');
  /** @type {SarifFinding[]} */
  const findings = [];
  for (const run of log.runs) {
    for (const result of run.results ?? []) {
      if (isSuppressed(result)) continue;
      const rule = ruleOf(run, result);
      const physical = result.locations?.[0]?.physicalLocation;
      findings.push({
        tool: run.tool?.driver?.name ?? 'unknown tool',
        ruleId: result.ruleId ?? result.rule?.id ?? rule?.id ?? 'unknown-rule',
        level: result.level ?? rule?.defaultConfiguration?.level ?? 'warning',
        securitySeverity: securitySeverityOf(rule),
        message: result.message?.text ?? '',
        file: physical?.artifactLocation?.uri,
        line: physical?.region?.startLine,
        result,
      });
    }
  }
  return findings;
}

/**
 * The SARIF files a path names: the file itself, or a directory's *.sarif files.
 * @param {string} path
 * @returns {string[]}
 */
export function sarifFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.sarif'))
    .sort()
    .map((name) => join(path, name));
}

/**
 * The findings of one SARIF file; throws when it is missing or not SARIF.
 * @param {string} path
 * @returns {SarifFinding[]}
 */
export function readSarifFindings(path) {
  return sarifFindings(/** @type {Log} */ (JSON.parse(readFileSync(path, 'utf8'))));
}

/**
 * Whether a finding blocks: its level is one of `failLevels`, or (when `minSecuritySeverity` is set)
 * its rule's security-severity reaches it.
 * @param {SarifFinding} finding
 * @param {BlockingPolicy} policy
 * @returns {boolean}
 */
export function isBlocking(finding, { failLevels, minSecuritySeverity }) {
  if (failLevels.has(finding.level)) return true;
  return (
    minSecuritySeverity !== undefined &&
    finding.securitySeverity !== undefined &&
    finding.securitySeverity >= minSecuritySeverity
  );
}
