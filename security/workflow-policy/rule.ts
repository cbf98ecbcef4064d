/**
 * What a workflow rule is: one small unit with an id, a one-line description, help on how to comply,
 * the level it looks at (the whole workflow, one job, or one step) and a check that reports what breaks
 * it. The walker (`walker.ts`) visits every workflow, job and step once and calls each rule at its level;
 * `registry.ts` lists the rules. Docs and SARIF rule tables are generated from that list.
 *
 * Only node built-ins and `yaml` are imported (types aside), so these modules also run under Node's type
 * stripping.
 */
import type { Document } from 'yaml';
import type { GateJob } from '../gates/catalog.ts';

export type Json = Record<string, unknown>;

export interface Finding {
  rule: string;
  file: string;
  message: string;
  /** 1-based line and column of the offending node, when the finding is inside a parsed file. */
  line?: number;
  column?: number;
  job?: string;
  step?: string;
}

export interface ReviewedAction {
  tag: string;
  sha: string;
  inputs: string[];
}

export interface WorkflowFile {
  /** Path relative to the repository root, e.g. `.github/workflows/pipeline.yml`. */
  path: string;
  text: string;
}

export interface PolicyOptions {
  /** Reviewed actions by `owner/repo[/path]`; read from security/actions-inputs.json by default. */
  actions?: Record<string, ReviewedAction>;
  /** The exceptions to apply; read from security/workflow-policy/exceptions.yaml by default. */
  exceptions?: readonly { workflow: string; rule: string; reason: string; expires: string }[];
  /** "Today" for expiry checks (tests pin it). */
  now?: Date;
  /**
   * The gate list the gates workflow is held to; security/gates/catalog.ts's by default. A fixture checked
   * as the gates workflow names the entries it models, so adding a gate does not change the fixture.
   */
  gateJobs?: readonly GateJob[];
}

/** A path into the workflow document (`['jobs', 'lint', 'steps', 2, 'with', 'upload']`). */
export type NodePath = readonly (string | number)[];

/** What a check reports: a message, and where (default: the job or step being checked). */
export interface Report {
  message: string;
  at?: NodePath;
}

export interface WorkflowScope {
  root: string;
  file: WorkflowFile;
  document: Document;
  workflow: Json;
  actions: Record<string, ReviewedAction>;
  gateJobs: readonly GateJob[];
}

export interface JobScope extends WorkflowScope {
  jobId: string;
  job: Json;
  steps: Json[];
  /** Path of this job in the document. */
  path: NodePath;
}

export interface StepScope extends JobScope {
  step: Json;
  index: number;
  /** The step's name, else its `uses`, else its position: how findings name it. */
  label: string;
  /** `owner/repo[/path]` of the step's `uses`, without the ref; '' for a `run` step. */
  action: string;
  run: string;
  inputs: Json;
  /** Path of this step in the document. */
  stepPath: NodePath;
}

interface RuleInfo {
  /** Stable id: findings, exceptions and SARIF `ruleId`s use it. */
  id: string;
  /** What the rule holds a workflow to, in one sentence. */
  description: string;
  /** Why it matters and how to comply. */
  help: string;
}

export type WorkflowRule = RuleInfo &
  (
    | { level: 'workflow'; check(scope: WorkflowScope): Report[] }
    | { level: 'job'; check(scope: JobScope): Report[] }
    | { level: 'step'; check(scope: StepScope): Report[] }
  );

interface ScopeAt {
  workflow: WorkflowScope;
  job: JobScope;
  step: StepScope;
}

/** A rule from its id, the level its check looks at, and what it holds a workflow to. */
export function defineRule<Level extends keyof ScopeAt>(
  id: string,
  level: Level,
  rule: Omit<RuleInfo, 'id'> & { check(scope: ScopeAt[Level]): Report[] },
): WorkflowRule {
  return { id, level, ...rule } as WorkflowRule;
}

// ---- small readers of parsed YAML -------------------------------------------------------------------

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
export function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

/** `owner/repo[/path]` of a `uses:` value, without the ref. */
export function actionName(uses: string): string {
  return uses.split('@')[0] ?? uses;
}

/** The triggers of a workflow, whichever of the three shapes `on:` takes. */
export function triggersOf(workflow: Json): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(text);
  return Object.keys(record(on));
}

/** The permissions a job holds, as a map scope → level ("read" | "write" | "none"). */
export function permissionsOf(job: Json): Map<string, string> | 'write-all' | 'read-all' | undefined {
  const raw = job.permissions;
  if (raw === undefined) return undefined;
  if (raw === 'write-all' || raw === 'read-all') return raw;
  return new Map(Object.entries(record(raw)).map(([scope, level]) => [scope, text(level)]));
}

export const SARIF_UPLOADERS: readonly string[] = [
  'github/codeql-action/upload-sarif',
  'github/codeql-action/analyze',
];

/** CodeQL's analyze step uploads unless told not to (`upload: never`, or the legacy `false`). */
export function stepUploadsSarif(step: Json): boolean {
  const action = actionName(text(step.uses));
  if (!SARIF_UPLOADERS.includes(action)) return false;
  const upload = text(record(step.with).upload);
  return !(action === 'github/codeql-action/analyze' && (upload === 'never' || upload === 'false'));
}

export function uploadsSarif(job: Json): boolean {
  return list(job.steps).some((step) => stepUploadsSarif(record(step)));
}
