// One ESLint policy for the hook, `npm run lint` and CI. The pre-commit hook sets ESLINT_FAST=1 to skip
// the type-aware rules (they need the whole program and take seconds); `npm run lint` and CI run them
// over the whole tree, so a commit made with the fast set is still checked in full before it merges.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import { includeIgnoreFile } from 'eslint/config';
import security from 'eslint-plugin-security';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const fast = process.env.ESLINT_FAST === '1';

// The security plugin's recommended set reports as warnings; a gate must fail, so every one is an error.
const securityAsErrors = Object.fromEntries(
  Object.keys(security.configs.recommended.rules).map((rule) => [rule, 'error']),
);

export default tseslint.config(
  // What git ignores (installed and generated folders) is listed once, in .gitignore.
  includeIgnoreFile(fileURLToPath(new URL('.gitignore', import.meta.url)), '.gitignore'),
  // security/self-test/ holds deliberately flawed variants for the gate self-test workflow: linting
  // them would fail every real run, and they never ship (the Dockerfile's allow-list leaves them out).
  { ignores: ['test/fixtures/', 'security/self-test/'] },
  js.configs.recommended,
  // An exception to a rule is reviewed like code: it must name the rule and say why.
  comments.recommended,
  {
    // The fast set (the hook) lacks the type-aware rules, so a directive naming one of them would look
    // unused and block the commit; the full run (`npm run lint`, CI) still reports unused directives.
    linterOptions: { reportUnusedDisableDirectives: fast ? 'off' : 'error' },
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }],
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      // A whole-file exception at the top of a file is fine, as long as it names its rules and reasons.
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
    },
  },
  ...(fast ? tseslint.configs.recommended : tseslint.configs.recommendedTypeChecked),
  {
    plugins: { security },
    languageOptions: {
      globals: { ...globals.node },
      // The root is named in both modes: a resident ESLint (the hook's eslint_d) may serve several
      // checkouts, and typescript-eslint refuses to guess between candidate roots.
      parserOptions: { tsconfigRootDir: import.meta.dirname, ...(fast ? {} : { projectService: true }) },
    },
    rules: {
      ...securityAsErrors,
      // Flags every `object[key]`; TypeScript's typed keys and noUncheckedIndexedAccess already guard
      // these reads, and the rule's false positives teach people to ignore the plugin.
      'security/detect-object-injection': 'off',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Build and maintenance scripts work on the repository's own paths, never on a caller's input.
    files: ['scripts/**'],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    // The gate runner reads the repository it checks and writes its reports/; no path comes from a
    // request or another user.
    files: ['security/gates/**'],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      // Tests build paths into temporary folders and spawn the tools they test.
      'security/detect-non-literal-fs-filename': 'off',
      'security/detect-child-process': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
