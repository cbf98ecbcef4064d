import type { Log, ReportingDescriptor, Result, Run } from 'sarif';

export interface SarifFinding {
  readonly tool: string;
  readonly ruleId: string;
  readonly level: string;
  /** The rule's `security-severity` (0–10), when it has one. */
  readonly securitySeverity: number | undefined;
  readonly message: string;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly result: Result;
}

export interface BlockingPolicy {
  readonly failLevels: ReadonlySet<string>;
  readonly minSecuritySeverity?: number | undefined;
}

export declare const SARIF_LEVELS: readonly ['none', 'note', 'warning', 'error'];
export declare const HIGH_SECURITY_SEVERITY: number;
export declare function isSuppressed(result: Result): boolean;
export declare function ruleOf(run: Run, result: Result): ReportingDescriptor | undefined;
export declare function sarifFindings(log: Log): SarifFinding[];
export declare function sarifFiles(path: string): string[];
export declare function readSarifFindings(path: string): SarifFinding[];
export declare function isBlocking(finding: SarifFinding, policy: BlockingPolicy): boolean;
