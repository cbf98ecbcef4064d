import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.ts';

// One list of what git ignores (.gitignore), read by Prettier (its CLI's default --ignore-path is
// [.gitignore, .prettierignore]: prettier 3.10.1 internal/legacy-cli.mjs) and by ESLint (through
// includeIgnoreFile from eslint/config in eslint.config.mjs). Each tool's own file lists only what
// that tool alone leaves out. Asked of the real tools, so the list cannot drift from what they do.
const gitignored = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .filter((line) => line.endsWith('/'));
const PRETTIER = require.resolve('prettier/bin/prettier.cjs', { paths: [ROOT] });

// ESLint's flat config is an ES module, which Jest's CommonJS runtime cannot import: ask in a child.
function eslintIgnores(path: string): boolean {
  const script =
    "new (require('eslint').ESLint)().isPathIgnored(process.argv[1]).then((ignored) => console.log(ignored))";
  const result = spawnSync(process.execPath, ['-e', script, join(ROOT, path)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as boolean;
}

function prettierIgnores(path: string): boolean {
  const result = spawnSync(process.execPath, [PRETTIER, '--file-info', path], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return (JSON.parse(result.stdout) as { ignored: boolean }).ignored;
}

describe('one ignore list', () => {
  it('is .gitignore, naming the installed and generated folders', () => {
    expect(gitignored).toEqual(expect.arrayContaining(['node_modules/', 'dist/', 'coverage/', 'reports/']));
  });

  it.each(['dist/', 'coverage/', 'reports/'])('Prettier and ESLint both leave out %s', (folder) => {
    expect(prettierIgnores(`${folder}main.js`)).toBe(true);
    expect(eslintIgnores(`${folder}main.js`)).toBe(true);
  });

  it('while both still check the source, and .prettierignore repeats none of the list', () => {
    expect(prettierIgnores('src/app.ts')).toBe(false);
    expect(eslintIgnores('src/app.ts')).toBe(false);
    const prettierOwn = readFileSync(join(ROOT, '.prettierignore'), 'utf8').split('\n');
    expect(prettierOwn.filter((line) => gitignored.includes(line))).toEqual([]);
  });
});
