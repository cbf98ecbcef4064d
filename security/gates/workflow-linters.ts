/**
 * The workflow linters as gates: zizmor (security audits of workflows and actions) and actionlint
 * (syntax, expressions, types, `needs`, shell scripts). One definition of how each runs, read by the
 * local gate runner, by the scanner test (test/scanners/run.mjs) and by the test that runs each on the
 * flaws our own rules used to catch (test/pipeline/retired-rules.test.ts); security-gates.yml runs
 * the same arguments. Each runs natively at security/tools.json's pin, or not at all: neither has an
 * image in images.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import type { GateContext, GateOutcome, Requirement } from './gate.ts';
import { lastLines } from './gate.ts';
import { describeResults, readSarifResults, toSarif, writeSarif } from './sarif.ts';
import type { ToolSelection } from './tools.ts';
import { describeSelection, selectTool } from './tools.ts';

export type WorkflowLinter = 'zizmor' | 'actionlint';

/**
 * zizmor's arguments: offline (the audits that ask GitHub's API — impostor commits, known-vulnerable
 * actions — need a token and the network, which neither this machine nor the rehearsal has), the
 * policy in .github/zizmor.yml, the regular persona (zizmor's default: few false positives).
 */
export function zizmorArguments(target: string, format: 'plain' | 'sarif' | 'json-v1'): string[] {
  return ['--offline', '--config', '.github/zizmor.yml', '--format', format, target];
}

/**
 * actionlint's arguments: every workflow under .github/workflows with .github/actionlint.yaml when no
 * file is named; one error per line as JSON (actionlint has no SARIF).
 */
export function actionlintArguments(target?: string): string[] {
  return ['-format', '{{json .}}', ...(target === undefined ? [] : [target])];
}

/**
 * One error as actionlint v1.7.12 writes it with `-format '{{json .}}'`: the fields of its
 * `ErrorTemplateFields` (rhysd/actionlint error.go), e.g.
 * `{"message":"…","filepath":".github/workflows/x.yml","line":9,"column":5,"kind":"syntax-check",…}`.
 */
export interface ActionlintError {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

/** actionlint's JSON output (`[]` when clean); throws on anything else, which is an outage, not a pass. */
export function parseActionlint(stdout: string): ActionlintError[] {
  const parsed: unknown = JSON.parse(stdout.trim() === '' ? 'null' : stdout);
  if (!Array.isArray(parsed)) throw new Error(`actionlint wrote no JSON array: ${stdout.slice(0, 200)}`);
  return parsed as ActionlintError[];
}

/** One zizmor finding: its audit and where its primary location starts (1-based line). */
export interface ZizmorFinding {
  readonly ident: string;
  readonly file: string;
  readonly line: number;
}

interface ZizmorLocation {
  symbolic: { kind: string; key: { Local?: { verbatim_path: string } } };
  concrete: { location: { start_point: { row: number } } };
}

/**
 * zizmor 1.32.0's `--format json-v1`: an array of findings, each with `ident` and `locations`, where the
 * `Primary` one is the flaw and `concrete.location.start_point.row` is 0-based (zizmor's
 * docs/usage.md, "JSON"; read here from the tool's own output).
 */
export function parseZizmor(stdout: string): ZizmorFinding[] {
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed)) throw new Error(`zizmor wrote no JSON array: ${stdout.slice(0, 200)}`);
  return (parsed as { ident: string; locations: ZizmorLocation[] }[]).flatMap((finding) =>
    finding.locations
      .filter((location) => location.symbolic.kind === 'Primary')
      .map((location) => ({
        ident: finding.ident,
        file: location.symbolic.key.Local?.verbatim_path ?? '',
        line: location.concrete.location.start_point.row + 1,
      })),
  );
}

const ACTIONLINT_KINDS: Readonly<Record<string, string>> = {
  'syntax-check': 'The workflow is valid in GitHub Actions syntax (keys, types, sections).',
  expression: 'Every ${{ }} expression parses and is well typed; no untrusted input in an inline script.',
  'job-needs': 'Every `needs:` names a job of the workflow, with no cycle.',
};

/** actionlint's errors as SARIF 2.1.0, one rule per kind, for code scanning beside zizmor's. */
export function actionlintSarif(errors: readonly ActionlintError[], version: string): Log {
  return toSarif(
    {
      name: 'actionlint',
      version,
      informationUri: 'https://github.com/rhysd/actionlint',
      rules: ACTIONLINT_KINDS,
    },
    errors.map((error) => ({
      rule: error.kind,
      file: error.filepath.replace(/^\.\//, ''),
      line: error.line,
      message: error.message,
    })),
  );
}

// ---- the local gates ------------------------------------------------------------------------------

const selectionKey = (tool: WorkflowLinter) => `tool:${tool}`;

/** The linter at its pinned version, natively; else the gate does not run, and says how to install it. */
export const needsLinter =
  (tool: WorkflowLinter): Requirement =>
  async (context) => {
    const selection = await selectTool({ root: context.root, tool, engine: undefined });
    context.shared.set(selectionKey(tool), selection);
    return selection.kind === 'not run' ? { reason: selection.reason, howTo: selection.howTo } : undefined;
  };

function linterPath(context: GateContext, tool: WorkflowLinter): { path: string; via: string } {
  const selection = context.shared.get(selectionKey(tool)) as ToolSelection | undefined;
  if (selection?.kind !== 'native') throw new Error(`needsLinter('${tool}') did not find ${tool}`);
  return { path: selection.path, via: describeSelection(selection) };
}

function linterVersion(context: GateContext, tool: WorkflowLinter): string {
  const selection = context.shared.get(selectionKey(tool)) as ToolSelection | undefined;
  return selection?.kind === 'native' ? selection.version : 'unknown';
}

/** A linter that could not run: "not run" with why (its last lines of stderr) and how to check it. */
function outage(tool: WorkflowLinter, via: string, why: string, stderr: string): GateOutcome {
  const tail = lastLines(stderr, 2);
  return {
    status: 'not run',
    reason: `${tool} could not lint the workflows (an outage, not a finding): ${why}${tail === '' ? '' : `: ${tail}`}`,
    howTo: `run it by hand to see why: npm run gates -- --only ${tool} --verbose`,
    via,
  };
}

function writeReport(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * zizmor on the repository: a SARIF run for the report (zizmor exits 0 with --format sarif), then the
 * gate by zizmor's own exit code (0 clean, 10 and above by the worst finding's severity).
 */
export async function runZizmor(context: GateContext): Promise<GateOutcome> {
  const { path, via } = linterPath(context, 'zizmor');
  const sarifPath = join(context.reportsDir, 'zizmor.sarif');
  const report = await context.run(path, zizmorArguments('.', 'sarif'));
  // zizmor exits 0 with --format sarif whatever it finds: anything else, or output that is not SARIF,
  // means it could not audit (a policy it cannot read, a crash) — an outage, not a pass or a finding.
  if (report.status !== 0 || report.error !== undefined) {
    return outage('zizmor', via, report.error ?? `exit code ${report.status}`, report.stderr);
  }
  writeReport(sarifPath, report.stdout);
  const results = readSarifResults(sarifPath);
  if (results === undefined) return outage('zizmor', via, 'it wrote no readable SARIF', report.stderr);
  const gate = await context.run(path, zizmorArguments('.', 'plain'));
  if (gate.status === 0 && results.length === 0) return { status: 'passed', findings: 0, via };
  return {
    status: 'failed',
    findings: results.length,
    reason: results.length === 0 ? `exit code ${gate.status}` : undefined,
    details: results.length > 0 ? describeResults(results) : [lastLines(`${gate.stdout}\n${gate.stderr}`)],
    via,
  };
}

/** actionlint on every workflow, judged by its exit code (1: errors found); its JSON becomes SARIF. */
export async function runActionlint(context: GateContext): Promise<GateOutcome> {
  const { path, via } = linterPath(context, 'actionlint');
  const result = await context.run(path, actionlintArguments());
  let errors: ActionlintError[];
  try {
    errors = parseActionlint(result.stdout);
  } catch {
    // actionlint writes its JSON array ([] when clean) whenever it could lint; without it, it could not.
    return outage('actionlint', via, result.error ?? `exit code ${result.status}, no JSON`, result.stderr);
  }
  writeSarif(
    join(context.reportsDir, 'actionlint.sarif'),
    actionlintSarif(errors, linterVersion(context, 'actionlint')),
  );
  const details = errors.map((error) => `${error.filepath}:${error.line} ${error.kind} ${error.message}`);
  if (result.status === 0 && errors.length === 0) return { status: 'passed', findings: 0, via };
  return {
    status: 'failed',
    findings: errors.length,
    reason: errors.length === 0 ? `exit code ${result.status}` : undefined,
    details: details.length > 0 ? details.slice(0, 20) : [lastLines(result.stderr)],
    via,
  };
}
