/**
 * The actionlint job's converter (actionlint writes no SARIF; see workflow-linters.ts):
 *
 *   actionlint -format '{{json .}}' > reports/actionlint.json
 *   node security/gates/actionlint-sarif.ts reports/actionlint.json reports/actionlint.sarif
 *
 * The version it records is security/tools.json's pin, the one scripts/ci/install-tools.sh checked the
 * binary reports. Exits 2 when the input is not actionlint's JSON: a run that wrote nothing readable is
 * an outage.
 */
import { readFileSync } from 'node:fs';
import { writeSarif } from './sarif.ts';
import { toolPin } from './tools.ts';
import { actionlintSarif, parseActionlint } from './workflow-linters.ts';

const [input, output] = process.argv.slice(2);
try {
  if (input === undefined || output === undefined)
    throw new Error('usage: actionlint-sarif.ts INPUT.json OUTPUT.sarif');
  const errors = parseActionlint(readFileSync(input, 'utf8'));
  const version = toolPin('.', 'actionlint')?.version;
  if (version === undefined) throw new Error('security/tools.json pins no actionlint');
  writeSarif(output, actionlintSarif(errors, version));
  console.log(`actionlint-sarif: ${errors.length} errors in ${output}`);
} catch (err) {
  console.error(`actionlint-sarif: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
