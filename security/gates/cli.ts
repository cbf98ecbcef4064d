/**
 * The command line of `npm run gates`: flags, usage, --list, and the run itself.
 */
import { parseArgs } from 'node:util';
import { ciJobOf, GATES_WORKFLOW } from './catalog.ts';
import { detectEngine, type EngineDetector } from './engine.ts';
import type { Gate } from './gate.ts';
import { GATES } from './local-gates.ts';
import { EXIT, runGates } from './runner.ts';

const USAGE = `Usage: npm run gates -- [options]

Runs the CI gates locally (the same policy files), prints one table, writes reports/ (SARIF and others).

Options:
  --only NAME[,NAME]   run only these gates (in the usual order)
  --skip NAME[,NAME]   run every gate but these
  --allow-missing      a gate that could not run (no engine, offline) does not change the exit code
  --verbose            show each tool's own output as it runs
  --standin-bases      build the image on local stand-in bases (no registry here; not the
                       production image, and its row says so); SHS_STANDIN_BASES=1 does the same
  --list               list the gates, what they need and where CI runs them, then exit
  --help               this text

Exit codes: 0 every gate passed; 2 a gate failed; 3 none failed but some could not run
(0 with --allow-missing); 64 bad usage.`;

export type CliParse =
  | {
      kind: 'run';
      gates: readonly Gate[];
      allowMissing: boolean;
      verbose: boolean;
      standinBases: boolean;
    }
  | { kind: 'help' | 'list' }
  | { kind: 'usage'; message: string };

export function parseCli(
  argv: readonly string[],
  all: readonly Gate[] = GATES,
  env: NodeJS.ProcessEnv = process.env,
): CliParse {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        'allow-missing': { type: 'boolean' },
        verbose: { type: 'boolean' },
        'standin-bases': { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { kind: 'usage', message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { kind: 'help' };
  if (values.list) return { kind: 'list' };
  const names = (lists: string[] | undefined) =>
    (lists ?? [])
      .flatMap((list) => list.split(','))
      .map((name) => name.trim())
      .filter(Boolean);
  const only = names(values.only);
  const skip = names(values.skip);
  const unknown = [...only, ...skip].filter((name) => !all.some((gate) => gate.name === name));
  if (unknown.length > 0) {
    return {
      kind: 'usage',
      message: `unknown gate ${unknown.join(', ')} (known: ${all.map((gate) => gate.name).join(', ')})`,
    };
  }
  if (values.only !== undefined && only.length === 0)
    return { kind: 'usage', message: '--only needs at least one gate name' };
  const gates = all.filter(
    (gate) => (only.length === 0 || only.includes(gate.name)) && !skip.includes(gate.name),
  );
  if (gates.length === 0) return { kind: 'usage', message: 'no gate left to run' };
  return {
    kind: 'run',
    gates,
    allowMissing: values['allow-missing'] ?? false,
    verbose: values.verbose ?? false,
    standinBases: values['standin-bases'] === true || env.SHS_STANDIN_BASES === '1',
  };
}

/** Where CI runs the same check as a local gate, from the one list of gate jobs. */
function ciOf(gate: Gate): string {
  const entry = ciJobOf(gate.name);
  if (entry) return `the ${entry.job} job of ${GATES_WORKFLOW} (${entry.title})`;
  return gate.ci ?? 'not in CI';
}

export function listGates(all: readonly Gate[] = GATES): string {
  return all
    .map(
      (gate) =>
        `${gate.name.padEnd(11)} ${gate.description}\n${' '.repeat(12)}CI: ${ciOf(gate)}${gate.reports.length > 0 ? `; writes ${gate.reports.join(', ')}` : ''}`,
    )
    .join('\n');
}

export async function main(argv: readonly string[], detect: EngineDetector = detectEngine): Promise<number> {
  const parsed = parseCli(argv);
  switch (parsed.kind) {
    case 'help':
      console.log(USAGE);
      return EXIT.passed;
    case 'list':
      console.log(listGates());
      return EXIT.passed;
    case 'usage':
      console.error(`gates: ${parsed.message}\n\n${USAGE}`);
      return EXIT.usage;
    case 'run': {
      const summary = await runGates({
        root: process.cwd(),
        gates: parsed.gates,
        detectEngine: detect,
        allowMissing: parsed.allowMissing,
        verbose: parsed.verbose,
        standinBases: parsed.standinBases,
      });
      return summary.exitCode;
    }
  }
}
