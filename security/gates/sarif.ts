/**
 * SARIF 2.1.0 for the project's own policy checks (Dockerfile, workflows, lockfile), so code scanning
 * shows their findings beside ESLint's, Trivy's and Checkov's; and the count of results in any SARIF.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { readSarifFindings } from '../sarif-reader.mjs';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface PolicyFinding {
  readonly rule: string;
  /** Repository-relative path with forward slashes, as code scanning expects. */
  readonly file: string;
  /** 1-based; omitted when the finding concerns the file as a whole. */
  readonly line?: number;
  readonly message: string;
}

export interface PolicyTool {
  readonly name: string;
  readonly informationUri: string;
  /** The tool's release, when it is a real tool's (the gate-results attestation records it). */
  readonly version?: string;
  /** Rule id → what the rule requires (its full description in code scanning). */
  readonly rules: Readonly<Record<string, string>>;
}

/** One SARIF log with one run: every rule the tool knows, and one result per finding. */
export function toSarif(tool: PolicyTool, findings: readonly PolicyFinding[]): Log {
  const ruleIds = [...new Set([...Object.keys(tool.rules), ...findings.map((finding) => finding.rule)])];
  const rules: ReportingDescriptor[] = ruleIds.map((id) => ({
    id,
    shortDescription: { text: id },
    fullDescription: { text: tool.rules[id] ?? id },
    defaultConfiguration: { level: 'error' },
  }));
  const results: Result[] = findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: ruleIds.indexOf(finding.rule),
    level: 'error',
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.file, uriBaseId: '%SRCROOT%' },
          ...(finding.line !== undefined ? { region: { startLine: Math.max(1, finding.line) } } : {}),
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            ...(tool.version === undefined ? {} : { version: tool.version }),
            informationUri: tool.informationUri,
            rules,
          },
        },
        results,
      },
    ],
  };
}

export function writeSarif(path: string, log: Log): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(log, null, 2)}\n`);
}

/**
 * The results of every run in a SARIF file that are not suppressed, or undefined when the file is
 * missing or unreadable. Read through the one SARIF reader the CI gate uses too, so the local runner
 * and CI agree on which suppressions count (an accepted in-source suppression, e.g. a justified
 * eslint-disable comment, is a reviewed decision, not a finding).
 */
export function readSarifResults(path: string): Result[] | undefined {
  try {
    return readSarifFindings(path).map((finding) => finding.result);
  } catch {
    return undefined;
  }
}

/** `file:line rule message` for each result: the lines shown under the table. */
export function describeResults(results: readonly Result[], limit = 20): string[] {
  const lines = results.slice(0, limit).map((result) => {
    const location = result.locations?.[0]?.physicalLocation;
    const place = `${location?.artifactLocation?.uri ?? '?'}${location?.region?.startLine ? `:${location.region.startLine}` : ''}`;
    return `${place} ${result.ruleId ?? ''} ${result.message.text ?? ''}`.replace(/\s+/g, ' ').trim();
  });
  if (results.length > limit) lines.push(`… and ${results.length - limit} more`);
  return lines;
}
