// What the pre-commit hook runs on the staged files (husky → scripts/pre-commit.mjs → lint-staged).
// Our three checks are lint-staged function tasks: they run inside the hook's one Node process and read
// the staged content from the index (scripts/staged-checks.mjs), so a one-file commit costs about half a
// second rather than a tool's start-up per check (bench/RESULTS.md). Add your own entries as usual: a glob
// and a shell command (or a list of them), e.g.
//   '*.sql': 'sqlfluff lint',
// lint-staged appends the staged files' paths and runs it as its own process (it pays that tool's start).
// Prefer checks to fixers (`prettier --check`, not `--write`): lint-staged adds whatever a command rewrote
// to the commit, unreviewed; our checks never rewrite anything.
// Every check here also runs over the whole tree in `npm test` and CI, which catch a bypassed hook.
import { eslintCheck, prettierCheck, secretScan } from './scripts/staged-checks.mjs';

/** @type {import('lint-staged').Configuration} */
export default {
  // ESLint with the security rules, zero warnings (the type-aware rules are left to `npm run lint`).
  '*.{ts,mts,cts,js,mjs,cjs}': { title: 'ESLint (security rules)', task: eslintCheck },
  // Every staged file, whatever its type: secrets hide in .env, JSON, keys and notes.
  '*': { title: 'secret scan', task: secretScan },
  // Every staged file again, under a second spelling of "all files" because lint-staged takes one function
  // task per key: Prettier itself skips what it does not know and what .prettierignore lists.
  '**': { title: 'Prettier check', task: prettierCheck },
};
