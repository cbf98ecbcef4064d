// Writes ESLint's findings as SARIF 2.1.0 to reports/eslint.sarif for code scanning, and fails like
// `npm run lint` does (any error or warning), so the report and the gate can never disagree.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const output = process.argv[2] ?? 'reports/eslint.sarif';
mkdirSync(new URL('../reports', import.meta.url), { recursive: true });
const result = spawnSync(
  process.execPath,
  [
    require.resolve('eslint/bin/eslint.js'),
    '--max-warnings=0',
    '--format',
    '@microsoft/eslint-formatter-sarif',
    '--output-file',
    output,
    '.',
  ],
  { stdio: 'inherit' },
);
console.log(`SARIF written to ${output}`);
process.exit(result.status ?? 1);
