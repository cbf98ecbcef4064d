/**
 * What a gate is: a name, what it needs before it can run, the reports it writes, and how it runs and
 * counts its findings. The local runner's entries (local-gates.ts) is data of this shape, so adding a gate is one entry.
 */
import type { ContainerEngine, ProcessResult } from './engine.ts';

export type GateStatus = 'passed' | 'failed' | 'not run';

export interface GateOutcome {
  readonly status: GateStatus;
  /** Findings the tool reported; undefined when it reports no count (or did not run). */
  readonly findings?: number;
  /** Why it did not run, or why it failed when the findings alone do not say it. */
  readonly reason?: string;
  /** How to make a gate that did not run able to run. */
  readonly howTo?: string;
  /** One line per finding or failure, naming the rule and the place: shown under the table. */
  readonly details?: readonly string[];
  /** Which copy of the scanner ran: `native v0.70.0` or `container IMAGE` (tools.ts). */
  readonly via?: string;
}

export interface GateResult extends GateOutcome {
  readonly name: string;
  readonly seconds: number;
}

export interface GateContext {
  /** The repository being checked (the working copy `npm run gates` runs in). */
  readonly root: string;
  /** Where SARIF and other reports go: `<root>/reports`. */
  readonly reportsDir: string;
  /** The container engine, when one answers. */
  readonly engine: ContainerEngine | undefined;
  /** Runs a command in the repository, capturing its output (and echoing it with --verbose). */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<ProcessResult>;
  /** Results of the gates run before this one (a scan needs the image the build gate made). */
  readonly earlier: ReadonlyMap<string, GateResult>;
  /** Test files the test gate limits itself to (used to prove a gate bites without the whole suite). */
  readonly testFiles?: readonly string[];
  /**
   * Build the image on local stand-in bases instead of its pinned ones (`--standin-bases`, or
   * SHS_STANDIN_BASES=1): for a machine that reaches no registry. The image row says so.
   */
  readonly standinBases?: boolean;
  /** State shared between gates of one run (the built image's name, containers to clean up). */
  readonly shared: Map<string, unknown>;
  /** Cleanup actions run when the whole run ends, also on failure. */
  readonly cleanups: (() => Promise<void> | void)[];
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** A precondition: undefined when met, else why not and how to get it. */
export type Requirement = (
  context: GateContext,
) => Promise<{ reason: string; howTo: string } | undefined> | { reason: string; howTo: string } | undefined;

export interface Gate {
  /** Short, stable, used by --only/--skip and in the table. */
  readonly name: string;
  readonly description: string;
  /** Files written under reports/, relative to the repository. */
  readonly reports: readonly string[];
  /** Checked in order before running; the first unmet one makes the gate "not run". */
  readonly needs: readonly Requirement[];
  readonly run: (context: GateContext) => Promise<GateOutcome>;
  /** The scanner a tool gate runs (native or in its image): its row says which, or "not run". */
  readonly tool?: string;
  /**
   * What runs a gate that is no scanner, for its row: an npm package of the lockfile (its installed
   * version is shown), or `own:` and the project's module that is the check.
   */
  readonly runsWith?: `npm:${string}` | `own:${string}`;
  /** For a gate no CI job runs: where its check runs instead, for --list. */
  readonly ci?: string;
}

/** The outcome of a gate whose tool exits non-zero on findings. */
export function byExitCode(
  result: ProcessResult,
  findings: number | undefined,
  details: readonly string[] = [],
): GateOutcome {
  if (result.error !== undefined) {
    return { status: 'failed', reason: result.error, details: [...details, lastLines(result.stderr)] };
  }
  if (result.status === 0) return { status: 'passed', findings: findings ?? 0, details };
  return {
    status: 'failed',
    findings,
    reason: findings ? undefined : `exit code ${result.status}`,
    details: details.length > 0 ? details : [lastLines(`${result.stdout}\n${result.stderr}`)],
  };
}

/** The last few non-empty lines of a tool's output, for a failure that names no finding. */
export function lastLines(text: string, count = 8): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-count)
    .join('\n');
}
