/**
 * Runs gates one after another, with progress on the way, and sums them up in one table and one exit
 * code. The gates themselves are data (local-gates.ts); this file knows nothing of any particular tool.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerEngine, EngineDetector } from './engine.ts';
import { execute } from './engine.ts';
import { needsEngine as needsContainerEngine } from './containers.ts';
import type { Gate, GateContext, GateOutcome, GateResult } from './gate.ts';

export const EXIT = Object.freeze({
  passed: 0,
  /** A bad flag or an unknown gate name (BSD sysexits EX_USAGE). */
  usage: 64,
  /** At least one gate failed. */
  failed: 2,
  /** No gate failed, but at least one could not run (and --allow-missing was not given). */
  notRun: 3,
});

export interface RunnerOptions {
  readonly root: string;
  readonly gates: readonly Gate[];
  readonly detectEngine: EngineDetector;
  readonly allowMissing?: boolean;
  readonly verbose?: boolean;
  readonly testFiles?: readonly string[];
  /** Build the image on the local stand-in bases (gate.ts, GateContext.standinBases). */
  readonly standinBases?: boolean;
  /** Where progress lines and the table go. */
  readonly write?: (text: string) => void;
}

export interface RunSummary {
  readonly results: readonly GateResult[];
  readonly exitCode: number;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

// Tools colour their output when they think a terminal is watching; the parsers read plain text.
const PLAIN_OUTPUT = { FORCE_COLOR: '0', NO_COLOR: '1', npm_config_color: 'false' };

export async function runGates(options: RunnerOptions): Promise<RunSummary> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const reportsDir = join(options.root, 'reports');
  mkdirSync(reportsDir, { recursive: true });
  const needsEngine = options.gates.some((gate) => gate.needs.includes(needsContainerEngine));
  const engine: ContainerEngine | undefined = needsEngine ? await options.detectEngine() : undefined;
  const earlier = new Map<string, GateResult>();
  const context: GateContext = {
    root: options.root,
    reportsDir,
    engine,
    earlier,
    shared: new Map(),
    cleanups: [],
    ...(options.testFiles !== undefined ? { testFiles: options.testFiles } : {}),
    ...(options.standinBases === true ? { standinBases: true } : {}),
    run: (command, args, runOptions = {}) =>
      execute(command, args, {
        cwd: options.root,
        timeoutMs: runOptions.timeoutMs ?? 1_800_000,
        env: { ...process.env, ...PLAIN_OUTPUT, ...runOptions.env },
        echo: options.verbose ?? false,
      }),
  };
  const results: GateResult[] = [];
  try {
    for (const [index, gate] of options.gates.entries()) {
      write(`▶ [${index + 1}/${options.gates.length}] ${gate.name}: ${gate.description}\n`);
      const started = process.hrtime.bigint();
      let outcome: GateOutcome | undefined;
      for (const need of gate.needs) {
        const unmet = await need(context);
        if (unmet !== undefined) {
          outcome = { status: 'not run', ...unmet };
          break;
        }
      }
      try {
        outcome ??= await gate.run(context);
      } catch (err) {
        // A gate that crashes has not shown the code is clean: that is a failure, never a pass.
        outcome = {
          status: 'failed',
          reason: `the gate crashed: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
      const via =
        outcome.via ??
        (outcome.status === 'not run'
          ? gate.tool !== undefined
            ? 'not run'
            : undefined
          : runsWith(options.root, gate.runsWith));
      const result: GateResult = {
        name: gate.name,
        ...outcome,
        ...(via === undefined ? {} : { via }),
        seconds: seconds(started),
      };
      results.push(result);
      earlier.set(gate.name, result);
      const count =
        result.findings === undefined
          ? ''
          : `, ${result.findings} finding${result.findings === 1 ? '' : 's'}`;
      write(
        `${result.status === 'passed' ? '✔' : result.status === 'failed' ? '✘' : '○'} ${gate.name}: ${result.status}${count} (${result.seconds.toFixed(1)} s)${result.reason ? ` — ${result.reason}` : ''}\n`,
      );
    }
  } finally {
    for (const cleanup of context.cleanups.reverse()) await cleanup();
  }
  write(`\n${formatTable(results)}\n`);
  const exitCode = exitCodeOf(results, options.allowMissing ?? false);
  write(`${summaryLine(results, exitCode)}\n`);
  // The table as data, for a check that reads what ran (scripts/ci/gates-executed.mjs).
  writeFileSync(join(reportsDir, 'gates.json'), `${JSON.stringify({ exitCode, results }, null, 2)}\n`);
  return { results, exitCode };
}

/** The row's tool for a gate that is no scanner: the installed npm package and version, or our module. */
export function runsWith(root: string, what: Gate['runsWith']): string | undefined {
  if (what === undefined) return undefined;
  if (what.startsWith('own:')) return `ours: ${what.slice(4)}`;
  const name = what.slice(4);
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return `npm ${name} ${manifest.version ?? '(no version)'}`;
  } catch {
    return `npm ${name} (not installed)`;
  }
}

export function exitCodeOf(results: readonly GateResult[], allowMissing: boolean): number {
  if (results.some((result) => result.status === 'failed')) return EXIT.failed;
  if (!allowMissing && results.some((result) => result.status === 'not run')) return EXIT.notRun;
  return EXIT.passed;
}

function summaryLine(results: readonly GateResult[], exitCode: number): string {
  const count = (status: string) => results.filter((result) => result.status === status).length;
  return `gates: ${count('passed')} passed, ${count('failed')} failed, ${count('not run')} not run — exit ${exitCode}`;
}

/**
 * The table: gate, result, findings, time, and for a scanner which copy ran (native vX.Y.Z, container
 * IMAGE, not run); then, per gate that did not pass, why and what it found.
 */
export function formatTable(results: readonly GateResult[]): string {
  const rows = [
    ['gate', 'result', 'findings', 'time', 'tool'],
    ...results.map((result) => [
      result.name,
      result.status,
      result.findings === undefined ? '-' : String(result.findings),
      `${result.seconds.toFixed(1)} s`,
      result.via ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const numeric = (column: number) => column === 2 || column === 3;
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => (numeric(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  const separator = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  const table = [line(rows[0]!), separator, ...rows.slice(1).map(line)];
  const notes = results
    .filter((result) => result.status !== 'passed')
    .flatMap((result) => [
      `${result.name} ${result.status}${result.reason ? `: ${result.reason}` : ''}`,
      ...(result.howTo ? [`  how to run it: ${result.howTo}`] : []),
      ...(result.details ?? []).flatMap((detail) => detail.split('\n').map((text) => `  ${text}`)),
    ]);
  return [...table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
