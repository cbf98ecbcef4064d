// Writes ESLint's findings as SARIF 2.1.0 to reports/eslint.sarif for code scanning, and fails like
// `npm run lint` does (any error or warning), so the report and the gate can never disagree.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const output = process.argv[2] ?? 'reports/eslint.sarif';
// ESLint 10's exports map does not export bin/eslint.js; its package.json (exported) locates it.
const eslintPackage = require.resolve('eslint/package.json');
const eslintBin = join(dirname(eslintPackage), require('eslint/package.json').bin.eslint);
mkdirSync(new URL('../reports', import.meta.url), { recursive: true });
const result = spawnSync(
  process.execPath,
  [
    eslintBin,
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
